import MatrixCore

/// Whether `a` and `b` agree within `relativeTolerance` of the larger magnitude, or within
/// `absoluteTolerance` (for values near zero).
public func approximatelyEqual(
  _ a: Double, _ b: Double, relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 0
) -> Bool {
  if a == b { return true }
  guard a.isFinite, b.isFinite else { return false }
  let diff = abs(a - b)
  return diff <= absoluteTolerance || diff <= relativeTolerance * max(abs(a), abs(b))
}

/// Elementwise ``approximatelyEqual(_:_:relativeTolerance:absoluteTolerance:)`` for arrays of
/// equal length.
public func approximatelyEqual(
  _ a: [Double], _ b: [Double], relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 0
) -> Bool {
  a.count == b.count
    && zip(a, b).allSatisfy {
      approximatelyEqual(
        $0, $1, relativeTolerance: relativeTolerance,
        absoluteTolerance: absoluteTolerance)
    }
}

/// The largest absolute elementwise difference of two equally shaped matrices, divided by the
/// larger max-norm (a scale-free error).
public func relativeError(_ a: Matrix, _ b: Matrix) -> Double {
  precondition(a.rows == b.rows && a.columns == b.columns, "relativeError: shapes differ")
  let scale = max(a.maxAbsoluteElement, b.maxAbsoluteElement, .leastNormalMagnitude)
  return (a - b).maxAbsoluteElement / scale
}

/// Seeds used by property tests; the seed goes in every failure message.
public let testSeeds: [UInt64] = Array(1...25)
