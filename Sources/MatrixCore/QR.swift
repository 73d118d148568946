internal import _CLAPACK

/// The QR factorization with column pivoting `A·P = Q·R` (LAPACK `dgeqp3`).
///
/// Column pivoting orders the columns by decreasing contribution, so that the numerical
/// rank can be read off the diagonal of `R` and rank-deficient least-squares problems get
/// a well-defined solution: the columns beyond the rank are dropped (their coefficients set to
/// zero and listed in ``LeastSquaresSolution/droppedColumns``), as R's `lm` does with `NA`.
///
/// ```swift
/// let qr = try QR(x)
/// qr.rank()                        // numerical rank, tolerance 1e-7 as R's qr()
/// let fit = qr.leastSquares(y)     // coefficients, residual sum of squares
/// ```
///
/// - Complexity: O(*2mn² − 2n³/3*) to build for an *m x n* matrix with *m ≥ n*.
public struct QR: Sendable {
  /// Number of rows of the factored matrix.
  public let rows: Int
  /// Number of columns of the factored matrix.
  public let columns: Int
  /// Column permutation: column `j` of `A·P` is column `permutation[j]` of `A` (zero-based).
  public let permutation: [Int]
  private let packed: Matrix
  private let tau: [Double]

  /// Factors `a` (any shape).
  ///
  /// - Throws: ``MatrixError/nonFiniteInput(routine:)`` for NaN or infinity.
  public init(_ a: Matrix) throws(MatrixError) {
    guard a.isFinite else { throw MatrixError.nonFiniteInput(routine: "dgeqp3") }
    rows = a.rows
    columns = a.columns
    var m = a
    var jpvt = [Int32](repeating: 0, count: a.columns)
    var t = [Double](repeating: 0, count: Swift.min(a.rows, a.columns))
    if !t.isEmpty {
      let info = m.elements.withUnsafeMutableBufferPointer { p in
        jpvt.withUnsafeMutableBufferPointer { jp in
          t.withUnsafeMutableBufferPointer { tp in
            LAPACKE_dgeqp3(
              LAPACK_COL_MAJOR, Int32(a.rows), Int32(a.columns), p.baseAddress,
              Int32(a.rows), jp.baseAddress, tp.baseAddress)
          }
        }
      }
      precondition(info == 0, "dgeqp3: argument \(-info) is invalid")
      permutation = jpvt.map { Int($0) - 1 }
    } else {
      permutation = Array(0..<a.columns)
    }
    packed = m
    tau = t
  }

  /// The upper-trapezoidal factor `R` (`min(m, n) x n`).
  public var r: Matrix {
    let k = Swift.min(rows, columns)
    return Matrix(rows: k, columns: columns) { i, j in i <= j ? packed[i, j] : 0 }
  }

  /// The diagonal of `R`, whose absolute values decrease.
  public var rDiagonal: Vector { Vector((0..<Swift.min(rows, columns)).map { packed[$0, $0] }) }

  /// The thin orthogonal factor `Q` (`m x min(m, n)`, orthonormal columns; LAPACK `dorgqr`).
  public var q: Matrix {
    let k = Swift.min(rows, columns)
    var qm = Matrix(rows: rows, columns: k) { i, j in packed[i, j] }
    guard k > 0 else { return qm }
    let info = qm.elements.withUnsafeMutableBufferPointer { p in
      tau.withUnsafeBufferPointer { tp in
        LAPACKE_dorgqr(
          LAPACK_COL_MAJOR, Int32(rows), Int32(k), Int32(k), p.baseAddress, Int32(rows),
          tp.baseAddress)
      }
    }
    precondition(info == 0, "dorgqr: argument \(-info) is invalid")
    return qm
  }

  /// The numerical rank: the number of diagonal elements of `R` with
  /// `|Rᵢᵢ| > tolerance · |R₀₀|`. The default 1e-7 is R's `qr()` default.
  public func rank(tolerance: Double = 1e-7) -> Int {
    let k = Swift.min(rows, columns)
    guard k > 0 else { return 0 }
    let first = abs(packed[0, 0])
    guard first > 0 else { return 0 }
    var r = 0
    while r < k && abs(packed[r, r]) > tolerance * first { r += 1 }
    return r
  }

  /// `Qᵀ·b` (LAPACK `dormqr`), of length `m`.
  public func qTransposeTimes(_ b: Vector) -> Vector {
    precondition(b.count == rows, "QR: right-hand side has \(b.count) elements, expected \(rows)")
    var c = b
    let k = tau.count
    guard k > 0 else { return c }
    let info = packed.elements.withUnsafeBufferPointer { a in
      tau.withUnsafeBufferPointer { tp in
        c.elements.withUnsafeMutableBufferPointer { cp in
          LAPACKE_dormqr(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "T")), Int32(rows), 1,
            Int32(k), a.baseAddress, Int32(rows), tp.baseAddress, cp.baseAddress, Int32(rows))
        }
      }
    }
    precondition(info == 0, "dormqr: argument \(-info) is invalid")
    return c
  }

  /// The least-squares solution of `A·x ≈ b`, minimising `‖b − A·x‖₂`.
  ///
  /// Columns beyond the numerical rank (see ``rank(tolerance:)``) are dropped: their
  /// coefficients are zero and they are listed in the result, as R's `lm` reports `NA`.
  public func leastSquares(_ b: Vector, tolerance: Double = 1e-7) -> LeastSquaresSolution {
    let qtb = qTransposeTimes(b)
    let r = rank(tolerance: tolerance)
    var z = [Double](repeating: 0, count: r)
    // Back substitution with the leading r x r block of R.
    for i in stride(from: r - 1, through: 0, by: -1) {
      var s = qtb[i]
      for j in (i + 1)..<r { s -= packed[i, j] * z[j] }
      z[i] = s / packed[i, i]
    }
    var coefficients = [Double](repeating: 0, count: columns)
    for j in 0..<r { coefficients[permutation[j]] = z[j] }
    var rss = 0.0
    for i in r..<rows { rss += qtb[i] * qtb[i] }
    let dropped = permutation[r...].sorted()
    return LeastSquaresSolution(
      coefficients: Vector(coefficients), rank: r, droppedColumns: dropped,
      residualSumOfSquares: rss)
  }
}

/// The result of ``QR/leastSquares(_:tolerance:)``.
public struct LeastSquaresSolution: Sendable, Equatable {
  /// The coefficients, zero for dropped columns.
  public let coefficients: Vector
  /// The numerical rank used.
  public let rank: Int
  /// Zero-based indices of the columns dropped as linearly dependent on earlier ones.
  public let droppedColumns: [Int]
  /// `‖b − A·x‖²`.
  public let residualSumOfSquares: Double
}
