/// A small, fast, seedable pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014).
///
/// Every random step of the library takes a generator, so a seed reproduces a result bit for
/// bit. SplitMix64 passes BigCrush, costs about 2 ns per value, and its whole state is one
/// `UInt64`, so it is also cheap to fork (``split()``) for independent streams.
///
/// ```swift
/// var rng = SplitMix64(seed: 42)
/// let u = Double.random(in: 0..<1, using: &rng)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
  /// The current state; saving and restoring it resumes the stream exactly.
  public var state: UInt64

  /// Creates a generator from `seed`; equal seeds give equal sequences.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A new generator seeded from this one, for an independent stream (for example one per
  /// parallel restart), advancing this generator by one step.
  public mutating func split() -> SplitMix64 { SplitMix64(seed: next()) }

  /// A uniform value in [0, 1) with 53 random bits.
  @inlinable
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal value (Box-Muller transform; one value per call).
  public mutating func nextNormal() -> Double {
    var u1 = nextUniform()
    while u1 <= 0 { u1 = nextUniform() }
    let u2 = nextUniform()
    return (-2 * naturalLogarithm(u1)).squareRoot() * cosine(2 * Double.pi * u2)
  }
}

extension Matrix {
  /// A `rows x columns` matrix of independent standard normal values drawn from `rng`.
  public static func randomNormal(rows: Int, columns: Int, using rng: inout SplitMix64) -> Matrix {
    var m = Matrix(rows: rows, columns: columns)
    for i in 0..<m.elements.count { m.elements[i] = rng.nextNormal() }
    return m
  }

  /// A random symmetric positive definite `n x n` matrix `GᵀG/n + ridge·I`, with `G` standard
  /// normal; handy for tests and benchmarks.
  public static func randomSPD(order n: Int, ridge: Double = 1, using rng: inout SplitMix64)
    -> Matrix
  {
    let g = randomNormal(rows: n, columns: n, using: &rng)
    var a = g.crossProduct()
    for i in 0..<a.elements.count { a.elements[i] /= Double(Swift.max(n, 1)) }
    for i in 0..<n { a.elements[i + i * n] += ridge }
    return a
  }
}
