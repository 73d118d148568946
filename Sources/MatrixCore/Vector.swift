/// A dense vector of `Double` values, stored contiguously (stride 1).
///
/// Storage is an `Array`, so copies are cheap until one of them is mutated (copy-on-write).
/// Elementwise arithmetic with mismatched lengths is a programming error (`precondition`).
public struct Vector: Sendable, Equatable, Hashable, ExpressibleByArrayLiteral,
  RandomAccessCollection, MutableCollection
{
  /// The elements.
  public var elements: [Double]

  /// Creates a vector holding `elements`.
  public init(_ elements: [Double]) { self.elements = elements }

  /// Creates a vector of `count` copies of `value`.
  public init(count: Int, repeating value: Double = 0) {
    precondition(count >= 0, "Vector: negative count \(count)")
    elements = [Double](repeating: value, count: count)
  }

  /// Creates a vector from an array literal.
  public init(arrayLiteral elements: Double...) { self.elements = elements }

  /// The first index, always 0.
  public var startIndex: Int { 0 }
  /// One past the last index: the number of elements.
  public var endIndex: Int { elements.count }

  /// Element access; zero-based.
  @inlinable
  public subscript(index: Int) -> Double {
    get { elements[index] }
    set { elements[index] = newValue }
  }

  /// Calls `body` with the contiguous storage.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R)
    rethrows -> R
  {
    try elements.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the contiguous storage.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
  ) rethrows -> R {
    try elements.withUnsafeMutableBufferPointer(body)
  }

  /// The vector as an `n x 1` matrix.
  public var asColumn: Matrix { Matrix(rows: count, columns: 1, columnMajor: elements) }

  /// The sum of the elements (four accumulators; not compensated).
  public var sum: Double {
    elements.withUnsafeBufferPointer { p in
      var s0 = 0.0
      var s1 = 0.0
      var s2 = 0.0
      var s3 = 0.0
      var i = 0
      let n = p.count
      while i + 4 <= n {
        s0 += p[i]
        s1 += p[i + 1]
        s2 += p[i + 2]
        s3 += p[i + 3]
        i += 4
      }
      while i < n {
        s0 += p[i]
        i += 1
      }
      return (s0 + s1) + (s2 + s3)
    }
  }

  /// Whether every element is finite.
  public var isFinite: Bool { elements.allSatisfy(\.isFinite) }

  /// The largest absolute element; 0 for an empty vector.
  public var maxAbsoluteElement: Double { elements.reduce(0) { Swift.max($0, abs($1)) } }
}

extension Vector: CustomStringConvertible {
  /// A readable rendering (for debugging; not a data format).
  public var description: String { "Vector(\(elements))" }
}
