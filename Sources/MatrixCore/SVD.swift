internal import _CLAPACK

/// The thin singular value decomposition `A = U·diag(σ)·Vᵀ` (LAPACK `dgesdd`,
/// divide and conquer).
///
/// For an *m x n* matrix with *k = min(m, n)*: `u` is *m x k*, `singularValues` has *k*
/// elements in **descending** order, `vt` is *k x n*. Singular vectors are determined only up
/// to sign.
///
/// - Complexity: O(*mn·min(m, n)*).
public struct SVD: Sendable {
  /// Left singular vectors as columns (`m x k`).
  public let u: Matrix
  /// Singular values, descending and non-negative.
  public let singularValues: Vector
  /// Right singular vectors as rows (`k x n`), that is `Vᵀ`.
  public let vt: Matrix

  /// Decomposes `a`.
  ///
  /// - Throws: ``MatrixError/noConvergence(routine:info:)`` (LAPACK `info > 0`),
  ///   ``MatrixError/nonFiniteInput(routine:)``.
  public init(_ a: Matrix) throws(MatrixError) {
    guard a.isFinite else { throw MatrixError.nonFiniteInput(routine: "dgesdd") }
    let m = a.rows
    let n = a.columns
    let k = Swift.min(m, n)
    var work = a
    var s = [Double](repeating: 0, count: k)
    var uu = Matrix(rows: m, columns: k)
    var vv = Matrix(rows: k, columns: n)
    if k > 0 {
      let info = work.elements.withUnsafeMutableBufferPointer { ap in
        s.withUnsafeMutableBufferPointer { sp in
          uu.elements.withUnsafeMutableBufferPointer { up in
            vv.elements.withUnsafeMutableBufferPointer { vp in
              LAPACKE_dgesdd(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n), ap.baseAddress,
                Int32(m), sp.baseAddress, up.baseAddress, Int32(m), vp.baseAddress,
                Int32(Swift.max(k, 1)))
            }
          }
        }
      }
      try LAPACKInfo.check(info, routine: "dgesdd", positive: .noConvergence)
    }
    u = uu
    singularValues = Vector(s)
    vt = vv
  }

  /// The 2-norm condition number `σ_max / σ_min` (infinity when `σ_min` is zero).
  public var conditionNumber: Double {
    guard let first = singularValues.first, let last = singularValues.last else { return 0 }
    return last == 0 ? .infinity : first / last
  }
}
