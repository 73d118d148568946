/// A dense matrix of `Double` values.
///
/// ## Memory layout
/// Elements are stored **column-major** and contiguously: element `(i, j)` lives at
/// `elements[i + j * rows]`, and the leading dimension equals ``rows``. This is what lets the
/// layer hand its storage to `cblas_*` and `LAPACKE_*` (in `LAPACK_COL_MAJOR` mode) without
/// copying. Storage is an `Array`, so copies are cheap until one of them is mutated
/// (copy-on-write).
///
/// ```swift
/// let a = Matrix(rows: [[4, 2], [2, 3]])
/// let chol = try Cholesky(a)
/// let x = chol.solve(Vector([1, 2]))
/// ```
///
/// Shape mismatches are programming errors and stop the program through `precondition`;
/// problems with the numbers themselves (not positive definite, singular) throw ``MatrixError``.
public struct Matrix: Sendable, Equatable, Hashable {
  /// Number of rows (also the leading dimension of the storage).
  public let rows: Int
  /// Number of columns.
  public let columns: Int
  /// The elements in column-major order; `elements.count == rows * columns`.
  public internal(set) var elements: [Double] {
    get { storage }
    _modify { yield &storage }
    set { storage = newValue }
  }
  @usableFromInline var storage: [Double]

  /// Creates a `rows x columns` matrix with every element equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)x\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = [Double](repeating: value, count: rows * columns)
  }

  /// Creates a matrix from elements given in column-major order.
  public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)x\(columns)")
    precondition(
      elements.count == rows * columns,
      "Matrix: \(elements.count) elements given for a \(rows)x\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.storage = elements
  }

  /// Creates a matrix whose elements are not initialized to any particular value; only for
  /// outputs that a BLAS/LAPACK call overwrites completely (saves the zero fill).
  init(unsafeUninitializedRows rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)x\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = [Double](unsafeUninitializedCapacity: rows * columns) { _, count in
      count = rows * columns
    }
  }

  /// Creates a matrix from a list of rows (the way matrices are written on paper).
  ///
  /// All rows must have the same length. An empty list gives a 0x0 matrix.
  public init(rows list: [[Double]]) {
    let r = list.count
    let c = list.first?.count ?? 0
    var storage = [Double](repeating: 0, count: r * c)
    for (i, row) in list.enumerated() {
      precondition(row.count == c, "Matrix: row \(i) has \(row.count) elements, expected \(c)")
      for j in 0..<c { storage[i + j * r] = row[j] }
    }
    self.init(rows: r, columns: c, columnMajor: storage)
  }

  /// Creates a matrix whose element `(i, j)` is `body(i, j)`.
  public init(rows: Int, columns: Int, _ body: (_ row: Int, _ column: Int) throws -> Double)
    rethrows
  {
    self.init(rows: rows, columns: columns)
    for j in 0..<columns {
      for i in 0..<rows { elements[i + j * rows] = try body(i, j) }
    }
  }

  /// The `n x n` identity matrix.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m.elements[i + i * n] = 1 }
    return m
  }

  /// A square matrix with `diagonal` on its diagonal and zeros elsewhere.
  public static func diagonal(_ diagonal: Vector) -> Matrix {
    let n = diagonal.count
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m.elements[i + i * n] = diagonal[i] }
    return m
  }

  /// Whether the matrix has as many rows as columns.
  public var isSquare: Bool { rows == columns }

  /// `(rows, columns)`.
  public var shape: (rows: Int, columns: Int) { (rows, columns) }

  /// Element access; `row` and `column` are zero-based.
  @inlinable
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
      return storage[row + column * rows]
    }
    set {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
      storage[row + column * rows] = newValue
    }
  }

  /// A copy of column `j` as a ``Vector``.
  public func column(_ j: Int) -> Vector {
    precondition(j >= 0 && j < columns, "Matrix.column: \(j) out of range 0..<\(columns)")
    return Vector(Array(elements[(j * rows)..<((j + 1) * rows)]))
  }

  /// A copy of row `i` as a ``Vector``.
  public func row(_ i: Int) -> Vector {
    precondition(i >= 0 && i < rows, "Matrix.row: \(i) out of range 0..<\(rows)")
    return Vector((0..<columns).map { elements[i + $0 * rows] })
  }

  /// The diagonal elements.
  public var diagonalElements: Vector {
    Vector((0..<Swift.min(rows, columns)).map { elements[$0 + $0 * rows] })
  }

  /// The transpose, as a new matrix.
  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    elements.withUnsafeBufferPointer { src in
      t.elements.withUnsafeMutableBufferPointer { dst in
        for j in 0..<columns {
          for i in 0..<rows { dst[j + i * columns] = src[i + j * rows] }
        }
      }
    }
    return t
  }

  /// The matrix as a list of rows.
  public var rowArrays: [[Double]] { (0..<rows).map { row($0).elements } }

  /// Calls `body` with the column-major storage (leading dimension ``rows``).
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R)
    rethrows -> R
  {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the column-major storage (leading dimension ``rows``).
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// Copies the lower triangle onto the upper one (or the reverse), making the matrix symmetric.
  public mutating func symmetrize(from triangle: Triangle = .lower) {
    precondition(isSquare, "symmetrize: matrix is \(rows)x\(columns), not square")
    let n = rows
    elements.withUnsafeMutableBufferPointer { a in
      for j in 0..<n {
        for i in (j + 1)..<Swift.max(n, j + 1) {
          switch triangle {
          case .lower: a[j + i * n] = a[i + j * n]
          case .upper: a[i + j * n] = a[j + i * n]
          }
        }
      }
    }
  }

  /// Whether the matrix equals its transpose within `tolerance` (absolute, elementwise).
  public func isSymmetric(tolerance: Double = 0) -> Bool {
    guard isSquare else { return false }
    for j in 0..<columns {
      for i in (j + 1)..<Swift.max(rows, j + 1)
      where abs(elements[i + j * rows] - elements[j + i * rows]) > tolerance {
        return false
      }
    }
    return true
  }

  /// The largest absolute element (the max norm); 0 for an empty matrix.
  public var maxAbsoluteElement: Double { elements.reduce(0) { Swift.max($0, abs($1)) } }

  /// The Frobenius norm, `sqrt(sum of squares)`.
  public var frobeniusNorm: Double { Vector(elements).norm }

  /// Whether every element is finite (no NaN or infinity).
  public var isFinite: Bool { elements.allSatisfy(\.isFinite) }
}

/// Which triangle of a symmetric or triangular matrix is referenced.
public enum Triangle: Sendable, Hashable {
  /// The lower triangle, including the diagonal.
  case lower
  /// The upper triangle, including the diagonal.
  case upper
}

/// Whether an operand enters a product as it is or transposed.
public enum Transpose: Sendable, Hashable {
  /// Use the operand as it is.
  case none
  /// Use the transpose of the operand.
  case transpose
}

extension Matrix: CustomStringConvertible {
  /// A readable rendering, one row per line (for debugging; not a data format).
  public var description: String {
    var lines = ["Matrix \(rows)x\(columns)"]
    for i in 0..<Swift.min(rows, 12) {
      let shown = (0..<Swift.min(columns, 8)).map { j in
        let v = elements[i + j * rows]
        return v.formatted6
      }
      lines.append("  " + shown.joined(separator: " ") + (columns > 8 ? " ..." : ""))
    }
    if rows > 12 { lines.append("  ...") }
    return lines.joined(separator: "\n")
  }
}

extension Double {
  var formatted6: String {
    let s = "\(self)"
    return s.count > 12 ? String(s.prefix(12)) : s
  }
}
