import Clustering
import MatrixCore
import Scoring

/// Maturity profiles for the report: k-means (k = 3, 20 seeded starts, as `lae cluster`) on
/// the schools' area scores in the latest wave, schools with every area scored.
struct ProfileSection {
  let areas: [String]
  let schools: [String]
  let hubs: [String]
  let fit: KMeans.Fit

  /// `nil` when fewer schools than twice the profiles have every area scored.
  init?(_ comparison: HubComparison, wave: String, areas: [String], k: Int = 3, seed: UInt64 = 2024)
    throws
  {
    var scores: [String: [String: Double]] = [:]
    var hubOf: [String: String] = [:]
    for r in comparison.schools where r.wave == wave {
      scores[r.school, default: [:]][r.area] = r.score
      hubOf[r.school] = r.hub
    }
    let complete = scores.keys.sorted().filter { id in areas.allSatisfy { scores[id]?[$0] != nil } }
    guard complete.count >= 2 * k else { return nil }
    let data = Matrix(rows: complete.count, columns: areas.count) { i, j in
      scores[complete[i]]?[areas[j]] ?? 0
    }
    var rng = SplitMix64(seed: seed)
    var kmeans = KMeans(clusterCount: k, startCount: 20)
    kmeans.labelOrder = .firstPrincipalComponent
    fit = try kmeans.fit(data, using: &rng)
    self.areas = areas
    schools = complete
    hubs = complete.map { hubOf[$0] ?? "" }
  }

  /// Profile names, lowest mean centre first ("Profile 1" the least advanced).
  var order: [Int] {
    let k = fit.centers.rows
    let means = (0..<k).map { c in (0..<fit.centers.columns).reduce(0.0) { $0 + fit.centers[c, $1] }
    }
    return (0..<k).sorted { means[$0] < means[$1] }
  }

  func name(_ cluster: Int) -> String {
    "Profile \((order.firstIndex(of: cluster) ?? cluster) + 1)"
  }

  /// The profile of `school`, if it was clustered.
  func profile(of school: String) -> String? {
    schools.firstIndex(of: school).map { name(fit.assignments[$0]) }
  }

  /// Schools per hub and profile.
  func countsByHub() -> [(hub: String, counts: [Int])] {
    let k = fit.centers.rows
    return Array(Set(hubs)).sorted().map { hub in
      var counts = [Int](repeating: 0, count: k)
      for (i, h) in hubs.enumerated() where h == hub {
        counts[order.firstIndex(of: fit.assignments[i]) ?? 0] += 1
      }
      return (hub, counts)
    }
  }
}
