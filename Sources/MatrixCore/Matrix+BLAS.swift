internal import _CLAPACK

// MARK: - Level 1

extension Vector {
  /// The dot product `xᵀy` (BLAS `ddot`).
  public func dot(_ other: Vector) -> Double {
    precondition(count == other.count, "dot: lengths \(count) and \(other.count) differ")
    return elements.withUnsafeBufferPointer { x in
      other.elements.withUnsafeBufferPointer { y in
        cblas_ddot(Int32(count), x.baseAddress, 1, y.baseAddress, 1)
      }
    }
  }

  /// The Euclidean norm `‖x‖₂` (BLAS `dnrm2`, which avoids overflow).
  public var norm: Double {
    elements.withUnsafeBufferPointer { x in cblas_dnrm2(Int32(count), x.baseAddress, 1) }
  }

  /// Adds `alpha · x` to this vector in place (BLAS `daxpy`: `y ← αx + y`).
  public mutating func add(_ x: Vector, scaledBy alpha: Double = 1) {
    precondition(count == x.count, "add: lengths \(count) and \(x.count) differ")
    let n = Int32(count)
    x.elements.withUnsafeBufferPointer { xp in
      elements.withUnsafeMutableBufferPointer { yp in
        cblas_daxpy(n, alpha, xp.baseAddress, 1, yp.baseAddress, 1)
      }
    }
  }

  /// Multiplies every element by `alpha` in place (BLAS `dscal`).
  public mutating func scale(by alpha: Double) {
    let n = Int32(count)
    elements.withUnsafeMutableBufferPointer { p in cblas_dscal(n, alpha, p.baseAddress, 1) }
  }
}

// MARK: - Level 2 and 3

extension Matrix {
  /// The matrix-vector product `op(A)·x` (BLAS `dgemv`).
  ///
  /// - Complexity: O(*rows · columns*).
  public func multiply(_ x: Vector, transpose: Transpose = .none) -> Vector {
    let (outCount, inCount) = transpose == .none ? (rows, columns) : (columns, rows)
    precondition(x.count == inCount, "gemv: vector has \(x.count) elements, expected \(inCount)")
    var y = Vector(count: outCount)
    guard outCount > 0 else { return y }
    if inCount == 0 { return y }
    elements.withUnsafeBufferPointer { a in
      x.elements.withUnsafeBufferPointer { xp in
        y.elements.withUnsafeMutableBufferPointer { yp in
          cblas_dgemv(
            CblasColMajor, transpose.cblas, Int32(rows), Int32(columns), 1, a.baseAddress,
            Int32(Swift.max(rows, 1)), xp.baseAddress, 1, 0, yp.baseAddress, 1)
        }
      }
    }
    return y
  }

  /// Computes `C ← α·op(A)·op(B) + β·C` in place, where `C` is this matrix (BLAS `dgemm`).
  ///
  /// Allocates nothing: use it in loops that reuse an output buffer.
  /// - Complexity: O(*m n k*).
  public mutating func multiplyAdd(
    _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
    alpha: Double = 1, beta: Double = 0
  ) {
    let (m, ka) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    precondition(ka == kb, "gemm: inner dimensions \(ka) and \(kb) differ")
    precondition(
      rows == m && columns == n, "gemm: output is \(rows)x\(columns), expected \(m)x\(n)")
    guard m > 0 && n > 0 else { return }
    let ldc = Int32(rows)
    a.elements.withUnsafeBufferPointer { ap in
      b.elements.withUnsafeBufferPointer { bp in
        elements.withUnsafeMutableBufferPointer { cp in
          cblas_dgemm(
            CblasColMajor, transposeA.cblas, transposeB.cblas, Int32(m), Int32(n), Int32(ka),
            alpha, ap.baseAddress, Int32(Swift.max(a.rows, 1)), bp.baseAddress,
            Int32(Swift.max(b.rows, 1)), beta, cp.baseAddress, ldc)
        }
      }
    }
  }

  /// The product `op(A)·op(B)` as a new matrix (BLAS `dgemm`); allocates only the result.
  public func multiply(
    _ b: Matrix, transposeSelf: Transpose = .none, transposeOther: Transpose = .none
  ) -> Matrix {
    let m = transposeSelf == .none ? rows : columns
    let n = transposeOther == .none ? b.columns : b.rows
    let k = transposeSelf == .none ? columns : rows
    // dgemm with beta = 0 never reads C, so the zero fill can be skipped (unless k = 0,
    // where the product is the zero matrix and dgemm is not called).
    var c = k > 0 ? Matrix(unsafeUninitializedRows: m, columns: n) : Matrix(rows: m, columns: n)
    c.multiplyAdd(self, b, transposeA: transposeSelf, transposeB: transposeOther)
    return c
  }

  /// The cross-product `AᵀA` (R's `crossprod`), a symmetric `columns x columns` matrix
  /// computed with BLAS `dsyrk` and mirrored to a full matrix.
  ///
  /// - Complexity: O(*rows · columns²*), about half of the equivalent `dgemm`.
  public func crossProduct() -> Matrix { rankKUpdate(transpose: .transpose) }

  /// The outer cross-product `AAᵀ` (R's `tcrossprod`), a symmetric `rows x rows` matrix
  /// computed with BLAS `dsyrk`.
  public func transposeCrossProduct() -> Matrix { rankKUpdate(transpose: .none) }

  private func rankKUpdate(transpose: Transpose) -> Matrix {
    let (n, k) = transpose == .transpose ? (columns, rows) : (rows, columns)
    var c = Matrix(rows: n, columns: n)
    guard n > 0, k > 0 else { return c }
    elements.withUnsafeBufferPointer { ap in
      c.elements.withUnsafeMutableBufferPointer { cp in
        cblas_dsyrk(
          CblasColMajor, CblasLower, transpose.cblas, Int32(n), Int32(k), 1, ap.baseAddress,
          Int32(Swift.max(rows, 1)), 0, cp.baseAddress, Int32(n))
      }
    }
    c.symmetrize(from: .lower)
    return c
  }

  /// The product `A·B` where `A` (this matrix) is symmetric and only its `triangle` is read
  /// (BLAS `dsymm`).
  public func symmetricMultiply(_ b: Matrix, triangle: Triangle = .lower) -> Matrix {
    precondition(isSquare, "symm: A is \(rows)x\(columns), not square")
    precondition(b.rows == columns, "symm: B has \(b.rows) rows, expected \(columns)")
    var c = Matrix(rows: rows, columns: b.columns)
    guard rows > 0 && b.columns > 0 else { return c }
    elements.withUnsafeBufferPointer { ap in
      b.elements.withUnsafeBufferPointer { bp in
        c.elements.withUnsafeMutableBufferPointer { cp in
          cblas_dsymm(
            CblasColMajor, CblasLeft, triangle.cblas, Int32(rows), Int32(b.columns), 1,
            ap.baseAddress, Int32(rows), bp.baseAddress, Int32(b.rows), 0, cp.baseAddress,
            Int32(rows))
        }
      }
    }
    return c
  }

  /// Solves `op(T)·x = b` where `T` (this matrix) is triangular (BLAS `dtrsv`).
  ///
  /// - Throws: ``MatrixError/singular(pivot:)`` when a diagonal element is exactly zero.
  public func solveTriangular(
    _ b: Vector, triangle: Triangle, transpose: Transpose = .none, unitDiagonal: Bool = false
  ) throws(MatrixError) -> Vector {
    precondition(isSquare, "trsv: matrix is \(rows)x\(columns), not square")
    precondition(b.count == rows, "trsv: right-hand side has \(b.count) elements, expected \(rows)")
    if !unitDiagonal { try checkTriangularDiagonal() }
    var x = b
    guard rows > 0 else { return x }
    elements.withUnsafeBufferPointer { ap in
      x.elements.withUnsafeMutableBufferPointer { xp in
        cblas_dtrsv(
          CblasColMajor, triangle.cblas, transpose.cblas, unitDiagonal ? CblasUnit : CblasNonUnit,
          Int32(rows), ap.baseAddress, Int32(rows), xp.baseAddress, 1)
      }
    }
    return x
  }

  /// Solves `op(T)·X = B` where `T` (this matrix) is triangular (BLAS `dtrsm`).
  ///
  /// - Throws: ``MatrixError/singular(pivot:)`` when a diagonal element is exactly zero.
  public func solveTriangular(
    _ b: Matrix, triangle: Triangle, transpose: Transpose = .none, unitDiagonal: Bool = false
  ) throws(MatrixError) -> Matrix {
    precondition(isSquare, "trsm: matrix is \(rows)x\(columns), not square")
    precondition(b.rows == rows, "trsm: right-hand side has \(b.rows) rows, expected \(rows)")
    if !unitDiagonal { try checkTriangularDiagonal() }
    var x = b
    guard rows > 0 && b.columns > 0 else { return x }
    elements.withUnsafeBufferPointer { ap in
      x.elements.withUnsafeMutableBufferPointer { xp in
        cblas_dtrsm(
          CblasColMajor, CblasLeft, triangle.cblas, transpose.cblas,
          unitDiagonal ? CblasUnit : CblasNonUnit, Int32(rows), Int32(b.columns), 1,
          ap.baseAddress, Int32(rows), xp.baseAddress, Int32(rows))
      }
    }
    return x
  }

  private func checkTriangularDiagonal() throws(MatrixError) {
    for i in 0..<rows where elements[i + i * rows] == 0 {
      throw MatrixError.singular(pivot: i + 1)
    }
  }
}

// MARK: - Operators

extension Matrix {
  /// Matrix product (BLAS `dgemm`).
  public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.multiply(rhs) }
  /// Matrix-vector product (BLAS `dgemv`).
  public static func * (lhs: Matrix, rhs: Vector) -> Vector { lhs.multiply(rhs) }
  /// Elementwise sum.
  public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "+: shapes differ")
    return Matrix(
      rows: lhs.rows, columns: lhs.columns,
      columnMajor: zip(lhs.elements, rhs.elements).map { $0 + $1 })
  }
  /// Elementwise difference.
  public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "-: shapes differ")
    return Matrix(
      rows: lhs.rows, columns: lhs.columns,
      columnMajor: zip(lhs.elements, rhs.elements).map { $0 - $1 })
  }
  /// Scalar multiple.
  public static func * (lhs: Double, rhs: Matrix) -> Matrix {
    Matrix(rows: rhs.rows, columns: rhs.columns, columnMajor: rhs.elements.map { lhs * $0 })
  }
}

extension Vector {
  /// Elementwise sum.
  public static func + (lhs: Vector, rhs: Vector) -> Vector {
    precondition(lhs.count == rhs.count, "+: lengths \(lhs.count) and \(rhs.count) differ")
    return Vector(zip(lhs.elements, rhs.elements).map { $0 + $1 })
  }
  /// Elementwise difference.
  public static func - (lhs: Vector, rhs: Vector) -> Vector {
    precondition(lhs.count == rhs.count, "-: lengths \(lhs.count) and \(rhs.count) differ")
    return Vector(zip(lhs.elements, rhs.elements).map { $0 - $1 })
  }
  /// Scalar multiple.
  public static func * (lhs: Double, rhs: Vector) -> Vector {
    Vector(rhs.elements.map { lhs * $0 })
  }
}

// MARK: - C enum bridges

extension Transpose {
  var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
  var lapack: CChar { CChar(UInt8(ascii: self == .none ? "N" : "T")) }
}

extension Triangle {
  var cblas: CBLAS_UPLO { self == .lower ? CblasLower : CblasUpper }
  var lapack: CChar { CChar(UInt8(ascii: self == .lower ? "L" : "U")) }
}
