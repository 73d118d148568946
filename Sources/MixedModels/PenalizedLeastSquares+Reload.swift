import Foundation

extension PenalizedLeastSquares {
  /// Refills the cross-products with those of `frame`'s rows transformed as
  /// `r̃ᵢ = a[i]·rᵢ − b[i]·r_{previous[i]}` (`b[i] = 0` where `previous[i] < 0`): the
  /// prewhitening of a residual structure (``ResidualCovariance/rowCoefficients(_:a:b:)``),
  /// without building the transformed frame or a new system. This object must have been built
  /// from `frame`, and each row must lie in the same level of every grouping factor as its
  /// previous row (chains are nested in the factors).
  ///
  /// The rows go in chunks that stay in L1 cache: the prewhitened `[X y]` of a chunk is written
  /// to a buffer kept between calls, its cross-product summed from there, and (for the common
  /// `q = 2` first factor) the Z blocks too; other factors take one more pass each. The data are
  /// read once per call; memory traffic, not arithmetic, is what an evaluation costs at 50,000
  /// rows. The factorization (``factor(_:)``) then runs as usual.
  func reload(frame: ModelFrame, a: [Double], b: [Double], previous: [Int32]) {
    precondition(frame.rowCount == n && a.count == n && b.count == n && previous.count == n)
    let width = p + 1
    let count = factors.count
    let n = n
    let p = p
    let sums = Self.buffer(width * width)
    defer { sums.deallocate() }
    let fused = count > 0 && factors[0].q == 2
    // The prewhitened [X y] of one chunk when only that chunk is needed (a single q = 2
    // factor), else of all rows (the passes of the other factors read it).
    let chunk = 512
    let stored = fused && count == 1 ? min(chunk, n) : n
    if whitenedXY.count != stored * width {
      whitenedXY = [Double](repeating: 0, count: stored * width)
    }
    for k in 0..<count {
      ztz[k].update(repeating: 0)
      xyz[k].update(repeating: 0)
    }
    let zt = count > 0 ? ztz[0] : sums
    let zx = count > 0 ? xyz[0] : sums
    let z0Data = count > 0 ? frame.factors[0].z : []
    let codes0 = count > 0 ? frame.factors[0].codes : []
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        previous.withUnsafeBufferPointer { prev in
          whitenedXY.withUnsafeMutableBufferPointer { w in
            frame.x.elements.withUnsafeBufferPointer { x in
              frame.y.withUnsafeBufferPointer { y in
                z0Data.withUnsafeBufferPointer { z in
                  codes0.withUnsafeBufferPointer { codes in
                    var start = 0
                    while start < n {
                      let end = min(start + chunk, n)
                      // Row i of the chunk is row i − shift of `w`.
                      let shift = stored == n ? 0 : start
                      for c in 0...p {
                        let src = c < p ? x.baseAddress! + c * n : y.baseAddress!
                        let o = c * stored - shift
                        for i in start..<end {
                          let pi = Int(prev[i])
                          w[o + i] = a[i] * src[i] - b[i] * src[pi < 0 ? i : pi]
                        }
                      }
                      Self.addColumnGram(
                        UnsafeBufferPointer(w), rows: stored, from: start - shift,
                        to: end - shift, width: width, into: sums)
                      if fused {  // the common (1 + t | g) first factor: unrolled
                        for i in start..<end {
                          let pi = Int(prev[i])
                          let pr = pi < 0 ? i : pi
                          let (ai, bi) = (a[i], b[i])
                          let z0 = ai * z[2 * i] - bi * z[2 * pr]
                          let z1 = ai * z[2 * i + 1] - bi * z[2 * pr + 1]
                          let l = Int(codes[i])
                          zt[4 * l] += z0 * z0
                          zt[4 * l + 1] += z1 * z0
                          zt[4 * l + 2] += z0 * z1
                          zt[4 * l + 3] += z1 * z1
                          let col = 2 * l * width
                          for r in 0..<width {
                            let v = w[i - shift + r * stored]
                            zx[col + r] += v * z0
                            zx[col + width + r] += v * z1
                          }
                        }
                      }
                      start = end
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    for c in 0..<width {
      for r in c..<width {
        xyxy[r + c * width] = sums[r + c * width]
        xyxy[c + r * width] = sums[r + c * width]
      }
    }
    let qMax = factors.map(\.q).max() ?? 0
    let zr = Self.buffer(qMax)
    let zs = Self.buffer(qMax)
    defer {
      zr.deallocate()
      zs.deallocate()
    }
    whitenedXY.withUnsafeBufferPointer { w in
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          previous.withUnsafeBufferPointer { prev in
            for k in 0..<count {
              let f = frame.factors[k]
              let q = f.q
              let zt = ztz[k]
              let zx = xyz[k]
              if !(k == 0 && fused) {
                f.z.withUnsafeBufferPointer { z in
                  f.codes.withUnsafeBufferPointer { codes in
                    for i in 0..<n {
                      let pi = Int(prev[i])
                      let pr = pi < 0 ? i : pi
                      for c in 0..<q { zr[c] = a[i] * z[i * q + c] - b[i] * z[pr * q + c] }
                      let l = Int(codes[i])
                      for c in 0..<q {
                        let zc = zr[c]
                        if zc == 0 { continue }
                        let block = l * q * q + c * q
                        for r in 0..<q { zt[block + r] += zr[r] * zc }
                        let col = (l * q + c) * width
                        for r in 0..<width { zx[col + r] += w[i + r * n] * zc }
                      }
                    }
                  }
                }
              }
              for j in (k + 1)..<max(k + 1, count) {
                let g = frame.factors[j]
                let qj = g.q
                let out = cross[k][j]
                out.update(repeating: 0)
                f.z.withUnsafeBufferPointer { z in
                  g.z.withUnsafeBufferPointer { zj in
                    f.codes.withUnsafeBufferPointer { codes in
                      for i in 0..<n {
                        let pi = Int(prev[i])
                        let pr = pi < 0 ? i : pi
                        for c in 0..<q { zr[c] = a[i] * z[i * q + c] - b[i] * z[pr * q + c] }
                        for c in 0..<qj { zs[c] = a[i] * zj[i * qj + c] - b[i] * zj[pr * qj + c] }
                        let l = Int(codes[i])
                        for c in 0..<q {
                          let zc = zr[c]
                          if zc == 0 { continue }
                          for r in 0..<qj { out[l * qj * q + r + c * qj] += zs[r] * zc }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Adds `Σᵢ vᵢvᵢᵀ` over rows `start..<end` of the column-major `rows × width` matrix `v` to
  /// the lower triangle of `out` (`width×width`): one dot product per entry, in SIMD sums.
  static func addColumnGram(
    _ v: UnsafeBufferPointer<Double>, rows n: Int, from start: Int, to end: Int, width: Int,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let base = UnsafeRawPointer(v.baseAddress!)
    let size = MemoryLayout<Double>.stride
    for c in 0..<width {
      for r in c..<width {
        var (s, t) = (SIMD4<Double>.zero, SIMD4<Double>.zero)
        var i = start
        while i + 8 <= end {
          let a0 = base.loadUnaligned(fromByteOffset: (r * n + i) * size, as: SIMD4<Double>.self)
          let b0 = base.loadUnaligned(fromByteOffset: (c * n + i) * size, as: SIMD4<Double>.self)
          let a1 = base.loadUnaligned(
            fromByteOffset: (r * n + i + 4) * size, as: SIMD4<Double>.self)
          let b1 = base.loadUnaligned(
            fromByteOffset: (c * n + i + 4) * size, as: SIMD4<Double>.self)
          s += a0 * b0
          t += a1 * b1
          i += 8
        }
        var tail = 0.0
        while i < end {
          tail += v[r * n + i] * v[c * n + i]
          i += 1
        }
        out[r + c * width] += (s + t).sum() + tail
      }
    }
  }
}
