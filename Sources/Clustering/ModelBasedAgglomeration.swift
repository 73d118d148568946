import Dispatch
import Foundation
import MatrixCore
import Synchronization
internal import _CKernels

/// mclust's model-based hierarchical agglomeration (`hc(modelName = "VVV", use = "SVD")`),
/// used to initialise EM.
///
/// The data are standardised (R's `scale`), rotated to their principal axes and scaled by the
/// square roots of the singular values (`hcUse = "SVD"`). Starting from one group per distinct
/// row, the two groups whose merge least increases
/// `Σ_g term(n_g, W_g)`, with `term(l, W) = l·log(|W/l| + (tr W + α)/l)` (and
/// `l·log((tr W + α)/l)` while `l ≤ d`), are merged, until one group is left
/// (Fraley 1998; mclust `hcvvv` with `α = tr(scatter)/(n d)`, `β = 1`).
///
/// - Complexity: O(*m²*) memory and about O(*m² d³*) time for *m* starting groups; mclust
///   (and this engine) run it on a random subset of 2,000 units for larger data.
/// Ties between merge costs are broken by index here and by scan order in mclust; with
/// continuous data they do not occur.
struct ModelBasedAgglomeration {
  /// The merges in order, each as the pair of group indices (into the initial groups).
  let merges: [(Int, Int)]
  /// The initial group of every unit.
  let initialGroups: [Int]
  let initialGroupCount: Int

  /// The `hcUse = "SVD"` transformation of `data`.
  static func svdScaled(_ data: Matrix) -> Matrix {
    let n = data.rows
    var z = data
    var keep: [Int] = []
    for j in 0..<data.columns {
      var mean = 0.0
      for i in 0..<n { mean += data[i, j] }
      mean /= Double(n)
      var ss = 0.0
      for i in 0..<n { ss += (data[i, j] - mean) * (data[i, j] - mean) }
      let sd = (ss / Double(n - 1)).squareRoot()
      if sd > 0 && sd.isFinite { keep.append(j) }
      for i in 0..<n { z[i, j] = (data[i, j] - mean) / sd }
    }
    let kept = Matrix(rows: n, columns: keep.count) { i, j in z[i, keep[j]] }
    guard let svd = try? SVD(kept) else { return kept }
    // data · V · diag(1/√σ) = U · diag(√σ)
    let p = svd.singularValues.count
    var out = Matrix(rows: n, columns: p)
    for j in 0..<p {
      let s = svd.singularValues[j].squareRoot()
      for i in 0..<n { out[i, j] = svd.u[i, j] * s }
    }
    return out
  }

  /// Agglomerates the rows of `z` (already transformed) down to `minimumGroups` groups; the
  /// initial merge costs (all pairs of units) are computed on up to `threads` threads (the same
  /// values on any number).
  init(_ z: Matrix, minimumGroups: Int = 1, threads: Int = 1) {
    let n = z.rows
    let d = z.columns
    // mclust's hc() starts hcVVV from singletons (its dupPartition default is not passed on),
    // so duplicated rows merge first, at equal cost; ties follow mclust's scan order below.
    let members = (0..<n).map { [$0] }
    let groupOf = Array(0..<n)
    let m = members.count
    initialGroups = groupOf
    initialGroupCount = m
    var state = AgglomerationState(dimension: d, alpha: AgglomerationState.alpha(z))
    for g in 0..<m {
      state.add(points: members[g].map { z.row($0).elements })
    }
    var merges: [(Int, Int)] = []
    guard m > minimumGroups else {
      self.merges = merges
      return
    }
    // Dense symmetric cost matrix, with each group's nearest partner cached. It starts at +∞
    // (the diagonal stays so), written by the workers in contiguous parts: its first touch,
    // where the kernel zeroes its (32 MB of) fresh pages, is shared between them.
    let workers = max(1, min(threads, 8))
    var cost = [Double](unsafeUninitializedCapacity: m * m) { buffer, initialized in
      nonisolated(unsafe) let base = buffer.baseAddress!
      let total = m * m
      let fill: @Sendable (Int) -> Void = { t in
        let lo = total * t / workers
        (base + lo).initialize(repeating: .infinity, count: total * (t + 1) / workers - lo)
      }
      forEachWorker(workers, fill)
      initialized = total
    }
    // Every group is one unit: each pair's cost needs only the units' distance.
    if d >= 2 {
      Self.singletonPairCosts(of: state, into: &cost, workers: workers)
    } else {
      Self.pairCosts(of: state, into: &cost, workers: workers)
    }
    var scratch = [Double](repeating: 0, count: m)
    // The live groups in increasing order, and +∞ for every group no longer live (added to a
    // row of costs, it hides them from the vectorised minimum).
    var live = Array(0..<m)
    var penalty = [Double](repeating: 0, count: m)
    var nearest = [Int](repeating: -1, count: m)
    // mclust's slot of each group: the merged group keeps the lower slot, and the group in the
    // last slot moves into the freed one. Among equal costs mclust keeps the last pair of its
    // scan (larger upper slot, then larger lower slot).
    var position = Array(0..<m)
    var occupant = Array(0..<m)
    func precedes(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
      // Whether pair (a, b) is chosen over pair (c, d).
      let x = cost[a &* m &+ b]
      let y = cost[c &* m &+ d]
      if x != y { return x < y }
      let pa = position[a]
      let pb = position[b]
      let pc = position[c]
      let pd = position[d]
      let hi1 = pa > pb ? pa : pb
      let lo1 = pa > pb ? pb : pa
      let hi2 = pc > pd ? pc : pd
      let lo2 = pc > pd ? pd : pc
      return hi1 != hi2 ? hi1 > hi2 : lo1 > lo2
    }
    var nearestCost = [Double](repeating: .infinity, count: m)
    // Whether no other live group ties with a group's nearest: then a change of slots (which
    // only breaks ties) cannot change that nearest group.
    var tieFree = [Bool](repeating: true, count: m)
    /// `a`'s nearest live group: the lowest cost (la_row_minimum over the row, dead groups
    /// hidden), and among equal costs the one precedes() prefers (a strict order, so the
    /// result does not depend on the order of the scan).
    func rescan(_ a: Int, found: (minimum: Double, first: Int, equal: Int)? = nil) {
      var minimum = found?.minimum ?? 0.0
      var first = found?.first ?? -1
      let equal =
        found?.equal
        ?? cost.withUnsafeBufferPointer { cp in
          la_row_minimum(cp.baseAddress! + a &* m, penalty, m, &minimum, &first)
        }
      if first >= 0 && minimum.isFinite {
        var best = first
        if equal > 1 {
          for b in live where b != best && b != a && cost[a &* m &+ b] == minimum {
            if precedes(a, b, a, best) { best = b }
          }
        }
        nearest[a] = best
        nearestCost[a] = minimum
        tieFree[a] = equal <= 1
        return
      }
      // No finite cost: the first live partner, as a plain scan finds it.
      var best = -1
      var bestCost = Double.infinity
      for b in live where b != a {
        let v = cost[a &* m &+ b]
        if v < bestCost || best < 0 {
          best = b
          bestCost = v
        } else if v == bestCost && precedes(a, b, a, best) {
          best = b
        }
      }
      nearest[a] = best
      nearestCost[a] = bestCost
      tieFree[a] = false
    }
    // Row minima of the rows listed in rescanRows (StepHelper.RowMinima), reused by every step.
    var rescanRows = Array(0..<m)
    var minima = [Double](repeating: 0, count: m)
    var firsts = [Int](repeating: 0, count: m)
    var equals = [Int](repeating: 0, count: m)
    /// Runs `body` with the row minima of rescanRows[0..<count] in reach.
    func withRowMinima(_ body: (StepHelper.RowMinima) -> Void) {
      cost.withUnsafeBufferPointer { cp in
        penalty.withUnsafeBufferPointer { pp in
          rescanRows.withUnsafeBufferPointer { rp in
            minima.withUnsafeMutableBufferPointer { mp in
              firsts.withUnsafeMutableBufferPointer { fp in
                equals.withUnsafeMutableBufferPointer { ep in
                  body(
                    StepHelper.RowMinima(
                      matrix: cp.baseAddress!, penalty: pp.baseAddress!, m: m,
                      rows: rp.baseAddress!, minima: mp.baseAddress!, firsts: fp.baseAddress!,
                      equals: ep.baseAddress!))
                }
              }
            }
          }
        }
      }
    }
    // Every group's nearest partner: all row minima, a contiguous part per worker, then each
    // group in order (the same as rescanning each).
    withRowMinima { all in
      forEachWorker(workers) { t in all.run((m * t / workers)..<(m * (t + 1) / workers)) }
    }
    for a in 0..<m { rescan(a, found: (minima[a], firsts[a], equals[a])) }
    var groups = m
    // Zeros for the search over the groups' nearest costs (dead groups' are +∞), and the
    // groups whose update la_agglomeration_update leaves to the loop below.
    let noPenalty = [Double](repeating: 0, count: m)
    var pending = [Int](repeating: 0, count: m)
    // The steps are serial; a second thread, idle otherwise, computes half of each large
    // step's costs, spinning in between (stopped when the loop ends).
    let helper = workers > 1 && m > 2 * StepHelper.minimumPartners ? StepHelper(dimension: d) : nil
    defer { helper?.stop() }
    var mainWork = [Double](repeating: 0, count: 8 * d * d)
    while groups > minimumGroups {
      // The pair to merge: the lowest nearest cost, found by the vectorised minimum when it
      // is unique; among equal costs the pair precedes() prefers.
      var a = -1
      var lowest = 0.0
      var first = -1
      let equal = la_row_minimum(nearestCost, noPenalty, m, &lowest, &first)
      let partner = first >= 0 ? nearest[first] : -1
      if equal == 1 && lowest.isFinite && partner >= 0 {
        a = first
      } else if equal == 2 && lowest.isFinite && partner >= 0 && nearest[partner] == first
        && nearestCost[partner] == lowest
      {
        // The usual case: two groups nearest to each other, the same pair either way round.
        a = first
      } else {
        for i in live where nearest[i] >= 0 {
          if a < 0 || nearestCost[i] < nearestCost[a]
            || (nearestCost[i] == nearestCost[a] && precedes(i, nearest[i], a, nearest[a]))
          {
            a = i
          }
        }
      }
      guard a >= 0 else { break }
      let b0 = nearest[a]
      let (i, j) = position[a] < position[b0] ? (a, b0) : (b0, a)
      merges.append((i, j))
      state.merge(i, j)
      if let at = live.firstIndex(of: j) { live.remove(at: at) }
      penalty[j] = .infinity
      nearest[j] = -1
      nearestCost[j] = .infinity
      let last = occupant[groups - 1]
      var moved = -1
      if last != j {
        position[last] = position[j]
        occupant[position[j]] = last
        moved = last
      }
      groups -= 1
      // The merged group's costs with every other live group, written to its row and column;
      // with a helper thread the second half of the partners is its (the same bits).
      let partners = live.filter { $0 != i }
      if !partners.isEmpty {
        cost.withUnsafeMutableBufferPointer { cp in
          partners.withUnsafeBufferPointer { pp in
            pp.withMemoryRebound(to: Int64.self) { others in
              scratch.withUnsafeMutableBufferPointer { sp in
                state.withPointers { groups in
                  let share =
                    helper != nil && others.count >= StepHelper.minimumPartners
                    ? others.count / 2 & ~3 : others.count
                  let whole = StepHelper.Job(
                    groups: groups, a: i, others: others.baseAddress!, count: others.count,
                    costs: sp.baseAddress!, matrix: cp.baseAddress!, m: m)
                  if share < others.count, let helper {
                    let part = whole.part(from: share, to: others.count)
                    helper.start { work in part.run(work: &work) }
                    whole.part(from: 0, to: share).run(work: &mainWork)
                    helper.wait()
                  } else {
                    whole.run(work: &mainWork)
                  }
                }
              }
            }
          }
        }
      }
      rescan(i)
      // The moved group's slot changed: its nearest can change only through a tie (or if it
      // was i or j).
      let rescanMoved =
        moved >= 0 && (!tieFree[moved] || nearest[moved] == i || nearest[moved] == j)
      if rescanMoved { rescan(moved) }
      // Every other live group: a lower cost with i makes i its nearest (la_agglomeration_update);
      // the rest (nearest was i or j, ties) here. cost is symmetric: row i (contiguous) is read
      // rather than column entries of row b, and b's current best from nearestCost.
      let listed = cost.withUnsafeBufferPointer { cp in
        live.withUnsafeBufferPointer { lp in
          lp.withMemoryRebound(to: Int64.self) { l in
            nearest.withUnsafeMutableBufferPointer { np in
              np.withMemoryRebound(to: Int64.self) { n64 in
                nearestCost.withUnsafeMutableBufferPointer { ncp in
                  tieFree.withUnsafeMutableBufferPointer { tp in
                    pending.withUnsafeMutableBufferPointer { pp in
                      pp.withMemoryRebound(to: Int64.self) { p64 in
                        la_agglomeration_update(
                          cp.baseAddress! + i &* m, l.baseAddress!, l.count, i, j, moved,
                          rescanMoved ? moved : -1, n64.baseAddress!, ncp.baseAddress!,
                          tp.baseAddress!, p64.baseAddress!)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      // The listed groups whose nearest must be searched again: their row minima first (half
      // of them on the helper when there are enough), then each group in order.
      var rescans = 0
      for q in 0..<listed {
        let b = pending[q]
        let nb = nearest[b]
        if nb == i || nb == j || (nb == moved && !tieFree[b]) {
          rescanRows[rescans] = b
          rescans += 1
        }
      }
      if rescans > 0 {
        withRowMinima { whole in
          let share =
            helper != nil && rescans >= StepHelper.minimumRescans ? rescans / 2 : rescans
          if share < rescans, let helper {
            let theirs = share..<rescans
            helper.start { _ in whole.run(theirs) }
            whole.run(0..<share)
            helper.wait()
          } else {
            whole.run(0..<rescans)
          }
        }
      }
      // rescanRows lists, in order, the pending groups searched again.
      var nextRescan = 0
      for q in 0..<listed {
        let b = pending[q]
        let nb = nearest[b]
        if nextRescan < rescans && rescanRows[nextRescan] == b {
          let r = nextRescan
          nextRescan += 1
          rescan(b, found: (minima[r], firsts[r], equals[r]))
        } else {
          let viaI = cost[i &* m &+ b]
          if viaI < nearestCost[b] {
            nearest[b] = i
            nearestCost[b] = viaI
            tieFree[b] = true
          } else if viaI == nearestCost[b] {
            tieFree[b] = false
            if precedes(b, i, b, nb) { nearest[b] = i }
          }
          // A tie with the moved group may now break the other way.
          if moved >= 0 && b != moved && !tieFree[b] {
            let viaMoved = cost[moved &* m &+ b]
            if viaMoved < nearestCost[b] {
              nearest[b] = moved
              nearestCost[b] = viaMoved
              tieFree[b] = true
            } else if viaMoved == nearestCost[b] && precedes(b, moved, b, nearest[b]) {
              nearest[b] = moved
            }
          }
        }
      }
    }
    self.merges = merges
  }

  /// ``pairCosts(of:into:workers:)`` when every group is one unit and `d ≥ 2`: the same bits
  /// (la_vvv_singleton_costs), each pair needing only the units' distance, read from
  /// contiguous columns.
  static func singletonPairCosts(
    of state: AgglomerationState, into cost: inout [Double], workers: Int
  ) {
    let m = state.count.count
    let d = state.d
    let means = state.means
    let columns = (0..<(m * d)).map { e in means[(e % m) &* d &+ e / m] }
    let alpha = state.alpha
    let traces = state.trace
    let terms = state.term
    cost.withUnsafeMutableBufferPointer { cp in
      nonisolated(unsafe) let base = cp.baseAddress!
      let work: @Sendable (Int) -> Void = { t in
        var b = 1 + t
        while b < m {
          la_vvv_singleton_costs(d, alpha, columns, m, b, b, traces, terms, base + b &* m)
          b += workers
        }
      }
      forEachWorker(workers, work)
      mirrorLowerTriangle(base, m, workers: workers)
    }
  }

  /// Every pair's cost (any groups) into the `m x m` matrix `cost` (the diagonal is the
  /// caller's): row b holding the pairs (b, a < b) (contiguous writes, rows spread over the
  /// workers), then copied to the upper triangle.
  static func pairCosts(of initial: AgglomerationState, into cost: inout [Double], workers: Int) {
    let m = initial.count.count
    let everyGroup = Array(0..<m)
    cost.withUnsafeMutableBufferPointer { cp in
      nonisolated(unsafe) let base = cp.baseAddress!
      let work: @Sendable (Int) -> Void = { t in
        var scratch = [Double](repeating: 0, count: m)
        var b = 1 + t
        while b < m {
          everyGroup.withUnsafeBufferPointer { others in
            initial.mergeCosts(b, UnsafeBufferPointer(rebasing: others[0..<b]), into: &scratch)
          }
          (base + b &* m).update(from: scratch, count: b)
          b += workers
        }
      }
      forEachWorker(workers, work)
      mirrorLowerTriangle(base, m, workers: workers)
    }
  }

  /// Copies the strict lower triangle of the `m x m` row-major matrix at `base` to its upper
  /// triangle in 64 x 64 tiles (writing each column entry as it is computed cost a cache miss
  /// apiece). The bands of 64 rows go to the workers in turn; their tiles write disjoint parts.
  static func mirrorLowerTriangle(_ base: UnsafeMutablePointer<Double>, _ m: Int, workers: Int = 1) {
    let tile = 64
    nonisolated(unsafe) let base = base
    let band: @Sendable (Int) -> Void = { t in
      var r0 = t * tile
      while r0 < m {
        var c0 = 0
        while c0 <= r0 {
          for r in r0..<min(r0 + tile, m) {
            let row = base + r &* m
            for c in c0..<min(c0 + tile, r) { base[c &* m &+ r] = row[c] }
          }
          c0 += tile
        }
        r0 += workers * tile
      }
    }
    forEachWorker(max(1, workers), band)
  }

  /// The partition into `k` groups (labels `0..<k` in order of first appearance, as mclust's
  /// `hclass` with `partconv(consec = TRUE)`).
  func partition(groups k: Int) -> [Int] {
    var parent = Array(0..<initialGroupCount)
    func find(_ a: Int) -> Int {
      var a = a
      while parent[a] != a { a = parent[a] }
      return a
    }
    let steps = max(0, min(merges.count, initialGroupCount - k))
    for s in 0..<steps {
      let (i, j) = merges[s]
      parent[find(j)] = find(i)
    }
    var code: [Int: Int] = [:]
    return initialGroups.map { g in
      let r = find(g)
      if let c = code[r] { return c }
      code[r] = code.count
      return code.count - 1
    }
  }
}

/// Groups' sufficient statistics for the VVV agglomeration criterion, in flat arrays (group
/// `g`'s mean at `g * d`, its scatter, row-major `d x d`, at `g * d * d`).
struct AgglomerationState {
  let d: Int
  let alpha: Double
  var count: [Int] = []
  var means: [Double] = []
  /// Scatter matrices; kept only once a group has more than `d` members would need them,
  /// but always maintained for simplicity.
  var scatters: [Double] = []
  var trace: [Double] = []
  var term: [Double] = []

  init(dimension: Int, alpha: Double) {
    d = dimension
    self.alpha = alpha
  }

  /// mclust's `α` for the rows of `z`: the trace of their scatter / (n d) (with `β = 1`), at
  /// least ε.
  static func alpha(_ z: Matrix) -> Double {
    let n = z.rows
    let d = z.columns
    var total = 0.0
    for j in 0..<d {
      var mean = 0.0
      for i in 0..<n { mean += z[i, j] }
      mean /= Double(n)
      for i in 0..<n { total += (z[i, j] - mean) * (z[i, j] - mean) }
    }
    return max(total / Double(n * d), Double.ulpOfOne)
  }

  mutating func add(points: [[Double]]) {
    var m = [Double](repeating: 0, count: d)
    for p in points { for j in 0..<d { m[j] += p[j] } }
    for j in 0..<d { m[j] /= Double(points.count) }
    var w = [Double](repeating: 0, count: d * d)
    var t = 0.0
    for p in points {
      for a in 0..<d {
        let da = p[a] - m[a]
        t += da * da
        for b in 0..<d { w[a * d + b] += da * (p[b] - m[b]) }
      }
    }
    count.append(points.count)
    means += m
    scatters += w
    trace.append(t)
    term.append(termValue(points.count, t, w))
  }

  /// `l·log(|W/l| + (tr W + α)/l)`, or `l·log((tr W + α)/l)` while `l ≤ d` (mclust `vvvtij`).
  func termValue(_ l: Int, _ t: Double, _ w: [Double]) -> Double {
    var copy = w
    return termValue(l, t, destroying: &copy)
  }

  /// As ``termValue(_:_:_:)``, overwriting `w` (no allocation).
  func termValue(_ l: Int, _ t: Double, destroying w: inout [Double]) -> Double {
    let ll = Double(l)
    if l <= d { return ll * log((t + alpha) / ll) }
    if t == 0 { return ll * log(alpha / ll) }
    guard let detlog = logDeterminant(&w, scale: 1 / ll) else {
      return ll * log((t + alpha) / ll)
    }
    if detlog <= 0 { return ll * log(exp(detlog) + (t + alpha) / ll) }
    return ll * (log(1 + exp(-detlog) * (t + alpha) / ll) + detlog)
  }

  /// `log |s·W|` by a small Cholesky; `nil` when `W` is not positive definite.
  ///
  /// The determinant is the product of the squared pivots; one `log` of that product (with a
  /// sum of logs only if it leaves the normal range) keeps this, the agglomeration's inner
  /// loop, from spending most of its time in `log`.
  func logDeterminant(_ a: inout [Double], scale s: Double) -> Double? {
    var product = 1.0
    let d = d
    return a.withUnsafeMutableBufferPointer { a -> Double? in
      let a = a.baseAddress!
      for j in 0..<d {
        let rowJ = a + j &* d
        var diag = rowJ[j] * s
        for k in 0..<j { diag -= rowJ[k] * rowJ[k] }
        guard diag > 0 else { return nil }
        let l = diag.squareRoot()
        rowJ[j] = l
        product *= diag
        for i in (j &+ 1)..<d {
          let rowI = a + i &* d
          var v = rowI[j] * s
          for k in 0..<j { v -= rowI[k] * rowJ[k] }
          rowI[j] = v / l
        }
      }
      if product.isNormal && product.isFinite { return log(product) }
      var logDet = 0.0
      for j in 0..<d { logDet += 2 * log(a[j &* d &+ j]) }
      return logDet
    }
  }

  /// ``mergeCost(_:_:)`` of `a` with each of `others`, into `costs[0..<others.count]`, four
  /// partners per vector (`la_vvv_merge_costs`; within a few ulps of the scalar version).
  func mergeCosts(_ a: Int, _ others: UnsafeBufferPointer<Int>, into costs: inout [Double]) {
    guard !others.isEmpty else { return }
    costs.withUnsafeMutableBufferPointer { cp in
      others.withMemoryRebound(to: Int64.self) { op in
        count.withUnsafeBufferPointer { np in
          np.withMemoryRebound(to: Int64.self) { np in
            // The factorisation's workspace (8·d² doubles), off the stack when large.
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 8 * d * d) { work in
              la_vvv_merge_costs(
                d, alpha, a, op.baseAddress!, op.count, np.baseAddress!, means, scatters, trace,
                term, cp.baseAddress!, work.baseAddress!)
            }
          }
        }
      }
    }
  }

  /// Increase of the criterion if groups `a` and `b` merge (the scalar reference of
  /// ``mergeCosts(_:_:into:)``).
  func mergeCost(_ a: Int, _ b: Int) -> Double {
    var scratch: [Double] = []
    return mergeCost(a, b, scratch: &scratch)
  }

  /// As ``mergeCost(_:_:)`` with a reusable `d x d` work buffer.
  func mergeCost(_ a: Int, _ b: Int, scratch: inout [Double]) -> Double {
    let d = d
    let na = Double(count[a])
    let nb = Double(count[b])
    let l = count[a] + count[b]
    let f = na * nb / (na + nb)
    let dist = means.withUnsafeBufferPointer { mp in
      let ma = mp.baseAddress! + a * d
      let mb = mp.baseAddress! + b * d
      var dist = 0.0
      for j in 0..<d {
        let t = ma[j] - mb[j]
        dist += t * t
      }
      return dist
    }
    let t = trace[a] + trace[b] + f * dist
    let merged: Double
    if l <= d || t == 0 {
      let ll = Double(l)
      merged = l <= d ? ll * log((t + alpha) / ll) : ll * log(alpha / ll)
    } else {
      if scratch.count != d * d + d { scratch = [Double](repeating: 0, count: d * d + d) }
      scatters.withUnsafeBufferPointer { sp in
        means.withUnsafeBufferPointer { mp in
          scratch.withUnsafeMutableBufferPointer { w in
            let sa = sp.baseAddress! + a &* d &* d
            let sb = sp.baseAddress! + b &* d &* d
            let ma = mp.baseAddress! + a &* d
            let mb = mp.baseAddress! + b &* d
            // The mean difference once (after the d x d block), then only the lower triangle:
            // the Cholesky factorisation below reads nothing else.
            let delta = w.baseAddress! + d &* d
            for c in 0..<d { delta[c] = ma[c] - mb[c] }
            for r in 0..<d {
              let dr = f * delta[r]
              let row = r &* d
              for c in 0...r {
                w[row &+ c] = sa[row &+ c] + sb[row &+ c] + dr * delta[c]
              }
            }
          }
        }
      }
      merged = termValue(l, t, destroying: &scratch)
    }
    return merged - term[a] - term[b]
  }

  mutating func merge(_ a: Int, _ b: Int) {
    let d = d
    let na = Double(count[a])
    let nb = Double(count[b])
    let f = na * nb / (na + nb)
    var delta = [Double](repeating: 0, count: d)
    for j in 0..<d { delta[j] = means[a * d + j] - means[b * d + j] }
    var dist = 0.0
    for j in 0..<d { dist += delta[j] * delta[j] }
    for r in 0..<d {
      for c in 0..<d {
        scatters[a * d * d + r * d + c] +=
          scatters[b * d * d + r * d + c] + f * delta[r] * delta[c]
      }
    }
    for j in 0..<d {
      means[a * d + j] = (na * means[a * d + j] + nb * means[b * d + j]) / (na + nb)
    }
    trace[a] += trace[b] + f * dist
    count[a] += count[b]
    term[a] = termValue(count[a], trace[a], Array(scatters[(a * d * d)..<((a + 1) * d * d)]))
  }
}

extension AgglomerationState {
  /// The groups' arrays as pointers, for the kernels (valid inside `body` only).
  struct Pointers: @unchecked Sendable {
    let d: Int
    let alpha: Double
    let sizes: UnsafePointer<Int64>
    let means: UnsafePointer<Double>
    let scatters: UnsafePointer<Double>
    let traces: UnsafePointer<Double>
    let terms: UnsafePointer<Double>
  }

  func withPointers<R>(_ body: (Pointers) -> R) -> R {
    count.withUnsafeBufferPointer { np in
      np.withMemoryRebound(to: Int64.self) { sizes in
        means.withUnsafeBufferPointer { mp in
          scatters.withUnsafeBufferPointer { sp in
            trace.withUnsafeBufferPointer { tp in
              term.withUnsafeBufferPointer { ep in
                body(
                  Pointers(
                    d: d, alpha: alpha, sizes: sizes.baseAddress!, means: mp.baseAddress!,
                    scatters: sp.baseAddress!, traces: tp.baseAddress!, terms: ep.baseAddress!))
              }
            }
          }
        }
      }
    }
  }
}

/// A thread that computes part of each agglomeration step's merge costs: the main thread
/// publishes a ``Job`` and computes the other part, then waits; the helper spins between
/// steps (it has nothing else to do while the serial steps run) until ``stop()``.
final class StepHelper: @unchecked Sendable {
  /// Steps with fewer partners are not shared (the handshake would cost more than it saves).
  static let minimumPartners = 96

  /// The costs of group `a` with `others[0..<count]`, into `costs` and into row `a` and
  /// column `a` of the `m x m` matrix.
  struct Job: @unchecked Sendable {
    let groups: AgglomerationState.Pointers
    let a: Int
    let others: UnsafePointer<Int64>
    let count: Int
    let costs: UnsafeMutablePointer<Double>
    let matrix: UnsafeMutablePointer<Double>
    let m: Int

    func part(from lo: Int, to hi: Int) -> Job {
      Job(
        groups: groups, a: a, others: others + lo, count: hi - lo, costs: costs + lo,
        matrix: matrix, m: m)
    }

    func run(work: inout [Double]) {
      guard count > 0 else { return }
      let g = groups
      work.withUnsafeMutableBufferPointer { wp in
        la_vvv_merge_costs(
          g.d, g.alpha, a, others, count, g.sizes, g.means, g.scatters, g.traces, g.terms, costs,
          wp.baseAddress!)
      }
      let row = matrix + a &* m
      for q in 0..<count { row[Int(others[q])] = costs[q] }
      la_store_column(matrix, m, a, others, costs, count)
    }
  }

  /// Steps with fewer groups to search again keep the searches (a row minimum each).
  static let minimumRescans = 8

  /// The row minima (la_row_minimum) of rows `rows[q]` of the `m x m` matrix, with `penalty`,
  /// into `minima[q]`, `firsts[q]` and `equals[q]`.
  struct RowMinima: @unchecked Sendable {
    let matrix: UnsafePointer<Double>
    let penalty: UnsafePointer<Double>
    let m: Int
    let rows: UnsafePointer<Int>
    let minima: UnsafeMutablePointer<Double>
    let firsts: UnsafeMutablePointer<Int>
    let equals: UnsafeMutablePointer<Int>

    func run(_ range: Range<Int>) {
      for q in range {
        equals[q] = la_row_minimum(matrix + rows[q] &* m, penalty, m, &minima[q], &firsts[q])
      }
    }
  }

  /// A part of a step's work, with the helper's scratch buffer.
  typealias Task = @Sendable (inout [Double]) -> Void

  private let generation = Atomic<Int>(0)
  private let finished = Atomic<Int>(0)
  private nonisolated(unsafe) var task: Task? = nil
  private var issued = 0

  init(dimension d: Int) {
    let thread = Thread { [self] in self.serve(work: [Double](repeating: 0, count: 8 * d * d)) }
    thread.start()
  }

  private func serve(work: [Double]) {
    var work = work
    var seen = 0
    while true {
      var g = generation.load(ordering: .acquiring)
      var spins = 0
      while g == seen {
        Self.backOff(&spins)
        g = generation.load(ordering: .acquiring)
      }
      if g < 0 { return }
      seen = g
      task?(&work)
      finished.store(g, ordering: .releasing)
    }
  }

  /// Hands `part` to the helper (its pointers must stay valid until ``wait()`` returns).
  func start(_ part: @escaping Task) {
    issued += 1
    task = part
    generation.store(issued, ordering: .releasing)
  }

  /// Waits until the helper has finished the last part handed to it.
  func wait() {
    var spins = 0
    while finished.load(ordering: .acquiring) != issued { Self.backOff(&spins) }
  }

  /// A spin-wait step: the processor's pause hint for about 0.1 ms, then yielding the core
  /// (so that a loaded machine, where the other thread may not be running, loses little).
  private static func backOff(_ spins: inout Int) {
    if spins < 4096 {
      spins += 1
      la_pause()
    } else {
      sched_yield()
    }
  }

  /// Ends the helper's loop.
  func stop() { generation.store(-1, ordering: .releasing) }
}
