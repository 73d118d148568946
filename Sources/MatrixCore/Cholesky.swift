internal import _CLAPACK

/// The Cholesky factorization `A = L·Lᵀ` of a symmetric positive definite matrix.
///
/// Built once with LAPACK `dpotrf` (lower triangle, column-major) and reused for solves,
/// the inverse and the log-determinant. Only the lower triangle of the input is read.
///
/// ```swift
/// let chol = try Cholesky(a)
/// let x = chol.solve(b)            // A x = b
/// let logDet = chol.logDeterminant // log |A|
/// ```
///
/// - Complexity: O(*n³/3*) to build, O(*n²*) per solved right-hand side.
///
/// Edge cases: a 0x0 matrix factors to a 0x0 factor with log-determinant 0.
public struct Cholesky: Sendable {
  /// Order of the factored matrix.
  public let order: Int
  /// `dpotrf` output: `L` in the lower triangle; the strict upper triangle holds whatever
  /// the input had there and is never read.
  private var packed: Matrix

  /// Factors the symmetric positive definite matrix `a`, reading its lower triangle.
  ///
  /// - Throws: ``MatrixError/notPositiveDefinite(leadingMinor:)`` (LAPACK `info > 0`), or
  ///   ``MatrixError/nonFiniteInput(routine:)`` when the lower triangle holds NaN or infinity.
  public init(_ a: Matrix) throws(MatrixError) {
    precondition(a.isSquare, "Cholesky: matrix is \(a.rows)x\(a.columns), not square")
    guard a.isFinite else { throw MatrixError.nonFiniteInput(routine: "dpotrf") }
    order = a.rows
    packed = a
    let n = Int32(order)
    guard order > 0 else { return }
    let info = packed.elements.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, Triangle.lower.lapack, n, p.baseAddress, n)
    }
    try LAPACKInfo.check(info, routine: "dpotrf", positive: .notPositiveDefinite)
  }

  /// The lower-triangular factor `L` (zeros above the diagonal).
  public var factor: Matrix {
    var l = packed
    let n = order
    l.elements.withUnsafeMutableBufferPointer { p in
      for j in 0..<n { for i in 0..<j { p[i + j * n] = 0 } }
    }
    return l
  }

  /// `log |A| = 2·Σ log Lᵢᵢ`, computed without overflow.
  public var logDeterminant: Double {
    var s = 0.0
    for i in 0..<order { s += naturalLogarithm(packed.elements[i + i * order]) }
    return 2 * s
  }

  /// Solves `A·x = b` (LAPACK `dpotrs`).
  public func solve(_ b: Vector) -> Vector {
    precondition(b.count == order, "Cholesky.solve: \(b.count) elements, expected \(order)")
    var x = b
    solveInPlace(&x.elements, columns: 1)
    return x
  }

  /// Solves `A·X = B` for several right-hand sides at once (LAPACK `dpotrs`).
  public func solve(_ b: Matrix) -> Matrix {
    precondition(b.rows == order, "Cholesky.solve: \(b.rows) rows, expected \(order)")
    var x = b
    solveInPlace(&x.elements, columns: b.columns)
    return x
  }

  private func solveInPlace(_ x: inout [Double], columns: Int) {
    guard order > 0, columns > 0 else { return }
    let n = Int32(order)
    let info = packed.elements.withUnsafeBufferPointer { l in
      x.withUnsafeMutableBufferPointer { xp in
        LAPACKE_dpotrs(
          LAPACK_COL_MAJOR, Triangle.lower.lapack, n, Int32(columns), l.baseAddress, n,
          xp.baseAddress, n)
      }
    }
    precondition(info == 0, "dpotrs: argument \(-info) is invalid")
  }

  /// The inverse `A⁻¹` as a full symmetric matrix (LAPACK `dpotri`).
  ///
  /// Prefer ``solve(_:)-(Vector)`` when only products with the inverse are needed.
  public func inverse() -> Matrix {
    var inv = packed
    guard order > 0 else { return inv }
    let n = Int32(order)
    let info = inv.elements.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpotri(LAPACK_COL_MAJOR, Triangle.lower.lapack, n, p.baseAddress, n)
    }
    precondition(info >= 0, "dpotri: argument \(-info) is invalid")
    inv.symmetrize(from: .lower)
    return inv
  }

  /// Updates the factor in place so that it factors `A + x·xᵀ` (a rank-1 update), in O(*n²*)
  /// instead of refactoring in O(*n³*).
  public mutating func update(with x: Vector) {
    precondition(x.count == order, "Cholesky.update: \(x.count) elements, expected \(order)")
    var w = x.elements
    let n = order
    packed.elements.withUnsafeMutableBufferPointer { l in
      for k in 0..<n {
        let lkk = l[k + k * n]
        let r = (lkk * lkk + w[k] * w[k]).squareRoot()
        let c = r / lkk
        let s = w[k] / lkk
        l[k + k * n] = r
        for i in (k + 1)..<Swift.max(n, k + 1) {
          l[i + k * n] = (l[i + k * n] + s * w[i]) / c
          w[i] = c * w[i] - s * l[i + k * n]
        }
      }
    }
  }

  /// Updates the factor in place so that it factors `A − x·xᵀ` (a rank-1 downdate).
  ///
  /// - Throws: ``MatrixError/notPositiveDefinite(leadingMinor:)`` if `A − x·xᵀ` is not
  ///   positive definite; the factor is then left unchanged.
  public mutating func downdate(with x: Vector) throws(MatrixError) {
    precondition(x.count == order, "Cholesky.downdate: \(x.count) elements, expected \(order)")
    var w = x.elements
    var l = packed.elements
    let n = order
    for k in 0..<n {
      let lkk = l[k + k * n]
      let r2 = lkk * lkk - w[k] * w[k]
      guard r2 > 0 else { throw MatrixError.notPositiveDefinite(leadingMinor: k + 1) }
      let r = r2.squareRoot()
      let c = r / lkk
      let s = w[k] / lkk
      l[k + k * n] = r
      for i in (k + 1)..<Swift.max(n, k + 1) {
        l[i + k * n] = (l[i + k * n] - s * w[i]) / c
        w[i] = c * w[i] - s * l[i + k * n]
      }
    }
    packed.elements = l
  }
}
