import LearningAnalytics

extension GrowthOutput {
  /// The JSON interval of a profile interval: bounds (`null` when open), how each was
  /// obtained, and the note of a degenerate bound.
  static func interval(_ p: LinearMixedModel.ProfileInterval, level: Double) -> Interval {
    Interval(
      level: level, lower: p.lower.value, upper: p.upper.value,
      terms: p.kind == .correlation ? p.terms : nil, lowerKind: p.lower.kind.rawValue,
      upperKind: p.upper.kind.rawValue, note: p.note)
  }

  /// `randomEffects`, with each block's SD and correlation intervals when profiled. The
  /// profile lists each block's parameters column by column of its lower triangle (lme4's
  /// `.sig01`, … order), which is also the order of the blocks here.
  static func random(
    _ fit: LinearMixedModel.Fit, profile: LinearMixedModel.ProfileConfidenceIntervals?
  ) -> [Random] {
    var next = 0
    return fit.randomEffects.map { v in
      var r = Random(
        group: v.group, terms: v.terms, sd: v.standardDeviations,
        correlation: v.correlation.map { row in row.map { $0.isFinite ? $0 : nil } })
      guard let profile else { return r }
      let w = v.terms.count
      var sd = [Interval?](repeating: nil, count: w)
      var correlations: [Interval] = []
      for c in 0..<w {
        for row in c..<w where next < profile.varianceComponents.count {
          let i = interval(profile.varianceComponents[next], level: profile.level)
          if row == c { sd[row] = i } else { correlations.append(i) }
          next += 1
        }
      }
      r.sdInterval = sd.compactMap { $0 }
      r.correlationIntervals = correlations
      return r
    }
  }
}
