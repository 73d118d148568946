internal import _CLAPACK

/// The LU factorization with partial pivoting `P·A = L·U` of a square matrix.
///
/// Built once with LAPACK `dgetrf` and reused for solves, the determinant and the inverse.
///
/// - Complexity: O(*2n³/3*) to build, O(*n²*) per right-hand side.
public struct LU: Sendable {
  /// Order of the factored matrix.
  public let order: Int
  private let packed: Matrix
  private let pivots: [Int32]

  /// Factors the square matrix `a`.
  ///
  /// - Throws: ``MatrixError/singular(pivot:)`` when `U` has an exact zero on its diagonal
  ///   (LAPACK `info > 0`), ``MatrixError/nonFiniteInput(routine:)`` for NaN or infinity.
  public init(_ a: Matrix) throws(MatrixError) {
    precondition(a.isSquare, "LU: matrix is \(a.rows)x\(a.columns), not square")
    guard a.isFinite else { throw MatrixError.nonFiniteInput(routine: "dgetrf") }
    order = a.rows
    var m = a
    var ipiv = [Int32](repeating: 0, count: order)
    let n = Int32(order)
    if order > 0 {
      let info = m.elements.withUnsafeMutableBufferPointer { p in
        ipiv.withUnsafeMutableBufferPointer { ip in
          LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, p.baseAddress, n, ip.baseAddress)
        }
      }
      try LAPACKInfo.check(info, routine: "dgetrf", positive: .singular)
    }
    packed = m
    pivots = ipiv
  }

  /// The determinant `|A|` (may overflow for large matrices; see ``logAbsoluteDeterminant``).
  public var determinant: Double {
    var d = 1.0
    for i in 0..<order {
      d *= packed.elements[i + i * order]
      if pivots[i] != Int32(i + 1) { d = -d }
    }
    return d
  }

  /// `log |det A|`, computed without overflow.
  public var logAbsoluteDeterminant: Double {
    var s = 0.0
    for i in 0..<order { s += naturalLogarithm(abs(packed.elements[i + i * order])) }
    return s
  }

  /// Solves `op(A)·x = b` (LAPACK `dgetrs`).
  public func solve(_ b: Vector, transpose: Transpose = .none) -> Vector {
    precondition(b.count == order, "LU.solve: \(b.count) elements, expected \(order)")
    var x = b.asColumn
    solveInPlace(&x, transpose: transpose)
    return Vector(x.elements)
  }

  /// Solves `op(A)·X = B` (LAPACK `dgetrs`).
  public func solve(_ b: Matrix, transpose: Transpose = .none) -> Matrix {
    precondition(b.rows == order, "LU.solve: \(b.rows) rows, expected \(order)")
    var x = b
    solveInPlace(&x, transpose: transpose)
    return x
  }

  private func solveInPlace(_ x: inout Matrix, transpose: Transpose) {
    guard order > 0, x.columns > 0 else { return }
    let n = Int32(order)
    let nrhs = Int32(x.columns)
    let info = packed.elements.withUnsafeBufferPointer { a in
      pivots.withUnsafeBufferPointer { ip in
        x.elements.withUnsafeMutableBufferPointer { xp in
          LAPACKE_dgetrs(
            LAPACK_COL_MAJOR, transpose.lapack, n, nrhs, a.baseAddress, n, ip.baseAddress,
            xp.baseAddress, n)
        }
      }
    }
    precondition(info == 0, "dgetrs: argument \(-info) is invalid")
  }

  /// The inverse `A⁻¹` (LAPACK `dgetri`).
  public func inverse() -> Matrix {
    var inv = packed
    guard order > 0 else { return inv }
    let n = Int32(order)
    let info = inv.elements.withUnsafeMutableBufferPointer { p in
      pivots.withUnsafeBufferPointer { ip in
        LAPACKE_dgetri(LAPACK_COL_MAJOR, n, p.baseAddress, n, ip.baseAddress)
      }
    }
    precondition(info == 0, "dgetri: unexpected info \(info) after a successful dgetrf")
    return inv
  }
}
