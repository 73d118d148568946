import MatrixCore

/// Item responses as a respondents x items matrix, with `NaN` for a missing answer: the input
/// of reliability analysis.
public struct ItemResponses: Sendable, Equatable {
  /// Item names, one per column.
  public let items: [String]
  /// `respondents x items`; `NaN` marks a missing answer.
  public let values: Matrix

  /// Pairs names with a matrix whose columns are the items.
  ///
  /// - Precondition: `items.count == values.columns`.
  public init(items: [String], values: Matrix) {
    precondition(
      items.count == values.columns,
      "ItemResponses: \(items.count) names for \(values.columns) columns")
    self.items = items
    self.values = values
  }

  /// Number of respondents (rows).
  public var respondentCount: Int { values.rows }

  /// Reverse-keys the items whose `keys` entry is negative as psych does: `min + max − x`,
  /// with `min` and `max` taken over all observed values of all items unless given.
  public func reversed(keys: [Int], minimum: Double? = nil, maximum: Double? = nil) -> ItemResponses
  {
    precondition(keys.count == items.count, "reversed: \(keys.count) keys for \(items.count) items")
    guard keys.contains(where: { $0 < 0 }) else { return self }
    var lo = Double.infinity
    var hi = -Double.infinity
    if minimum == nil || maximum == nil {
      for v in values.elements where !v.isNaN {
        lo = Swift.min(lo, v)
        hi = Swift.max(hi, v)
      }
    }
    let shift = (minimum ?? lo) + (maximum ?? hi)
    var m = values
    let n = m.rows
    m.withUnsafeMutableBufferPointer { p in
      for (j, key) in keys.enumerated() where key < 0 {
        for i in (j * n)..<((j + 1) * n) where !p[i].isNaN { p[i] = shift - p[i] }
      }
    }
    return ItemResponses(items: items, values: m)
  }
}
