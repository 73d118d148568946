internal import _CLAPACK

/// The eigendecomposition `A = V·diag(λ)·Vᵀ` of a symmetric matrix (LAPACK `dsyevr`,
/// the MRRR algorithm).
///
/// Eigenvalues are in **ascending** order, as LAPACK returns them (R's `eigen` and NumPy's
/// `eigh` differ: R sorts descending). Eigenvectors are orthonormal columns of ``vectors``;
/// each is determined only up to sign. Only the lower triangle of the input is read.
///
/// - Complexity: O(*n³*).
public struct SymmetricEigen: Sendable {
  /// Eigenvalues, ascending.
  public let values: Vector
  /// Eigenvectors as columns (`n x n`), `vectors.column(i)` belongs to `values[i]`;
  /// empty (0 x 0) when computed with `vectors: false`.
  public let vectors: Matrix

  /// Decomposes the symmetric matrix `a`.
  ///
  /// - Parameters:
  ///   - a: A symmetric matrix; only its lower triangle is read.
  ///   - computeVectors: `false` computes eigenvalues only (faster).
  /// - Throws: ``MatrixError/noConvergence(routine:info:)`` (LAPACK `info > 0`, an internal
  ///   error of the MRRR algorithm), ``MatrixError/nonFiniteInput(routine:)``.
  public init(_ a: Matrix, computeVectors: Bool = true) throws(MatrixError) {
    precondition(a.isSquare, "SymmetricEigen: matrix is \(a.rows)x\(a.columns), not square")
    guard a.isFinite else { throw MatrixError.nonFiniteInput(routine: "dsyevr") }
    let n = a.rows
    var work = a
    var w = [Double](repeating: 0, count: n)
    var z = Matrix(rows: computeVectors ? n : 0, columns: computeVectors ? n : 0)
    var isuppz = [Int32](repeating: 0, count: 2 * Swift.max(n, 1))
    var found: Int32 = 0
    if n > 0 {
      let info = work.elements.withUnsafeMutableBufferPointer { ap in
        w.withUnsafeMutableBufferPointer { wp in
          z.elements.withUnsafeMutableBufferPointer { zp in
            isuppz.withUnsafeMutableBufferPointer { ip in
              LAPACKE_dsyevr(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: computeVectors ? "V" : "N")),
                CChar(UInt8(ascii: "A")), Triangle.lower.lapack, Int32(n), ap.baseAddress,
                Int32(n), 0, 0, 0, 0, 0, &found, wp.baseAddress, zp.baseAddress,
                Int32(Swift.max(n, 1)), ip.baseAddress)
            }
          }
        }
      }
      try LAPACKInfo.check(info, routine: "dsyevr", positive: .noConvergence)
    }
    values = Vector(w)
    vectors = z
  }
}
