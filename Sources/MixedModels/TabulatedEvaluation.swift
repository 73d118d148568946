import MatrixCore

/// Finite-difference rules (numDeriv's Richardson steps, lme4's convergence checks) visit
/// points fixed in advance: they depend on the centre and the step sizes, never on the values.
/// A dry run of the rule with a recording function finds them; they are then evaluated on
/// several threads, each with its own state (a system to factor), and the rule runs again
/// from the table. Every value depends on its point alone, so the result is the same, bit for
/// bit, whatever the thread count.
enum TabulatedEvaluation {
  /// The distinct points `rule` visits, in first-visit order, cut to their first `length`
  /// coordinates (all when nil): those a value depends on.
  static func keys(length: Int? = nil, _ rule: (_ visit: ([Double]) -> Void) -> Void)
    -> [[Double]]
  {
    var seen = Set<[Double]>()
    var order: [[Double]] = []
    rule { x in
      let k = Array(x.prefix(length ?? x.count))
      if seen.insert(k).inserted { order.append(k) }
    }
    return order
  }

  /// `points.map { evaluate(&state, $0) }` in `threads` contiguous chunks, one `state` from
  /// `makeState` per chunk (points cost about the same, so equal chunks balance).
  static func evaluate<State, Value: Sendable>(
    _ points: [[Double]], threads: Int, makeState: @Sendable () -> State,
    _ evaluate: @Sendable (inout State, [Double]) -> Value
  ) -> [Value] {
    let chunks = Swift.max(1, Swift.min(threads, points.count))
    let parts = parallelMap(chunks, threads: chunks) { c in
      var state = makeState()
      let range = (points.count * c / chunks)..<(points.count * (c + 1) / chunks)
      return range.map { evaluate(&state, points[$0]) }
    }
    return parts.flatMap { $0 }
  }
}
