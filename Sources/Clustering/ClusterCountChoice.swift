/// A table for choosing the number of clusters, and a recommendation with its rule written
/// out.
///
/// For k-means (and Ward) the table holds the total within SS per *k* (the elbow) and the
/// average silhouette width; the recommendation is the *k* with the highest average width. For
/// mixtures it holds the best `mclustBIC` over models per *k*, and recommends the overall
/// highest, as mclust does.
public struct ClusterCountChoice: Sendable, Codable {
  /// One row per candidate *k*.
  public struct Row: Sendable, Codable {
    public let k: Int
    public let totalWithinSS: Double?
    public let averageSilhouette: Double?
    public let mclustBIC: Double?
    public let model: String?
  }
  /// Candidate rows, ascending in *k*.
  public let rows: [Row]
  /// The recommended *k* (`nil` when no candidate qualifies).
  public let recommended: Int?
  /// The rule, in words.
  public let rule: String

  /// Chooses among partitions by their average silhouette width.
  public static func bySilhouette(
    _ candidates: [(k: Int, totalWithinSS: Double?, averageSilhouette: Double?)]
  ) -> ClusterCountChoice {
    let rows = candidates.sorted { $0.k < $1.k }.map {
      Row(
        k: $0.k, totalWithinSS: $0.totalWithinSS, averageSilhouette: $0.averageSilhouette,
        mclustBIC: nil, model: nil)
    }
    var best: Row?
    for r in rows {
      guard let s = r.averageSilhouette else { continue }
      if best == nil || s > (best?.averageSilhouette ?? -.infinity) { best = r }
    }
    return ClusterCountChoice(
      rows: rows, recommended: best?.k,
      rule:
        "the k with the highest average silhouette width (k >= 2; ties: the smaller k); "
        + "read the within-SS column for an elbow as a second opinion")
  }

  /// Chooses among mixtures by the highest `mclustBIC` (lowest `bic`).
  public static func byBIC(_ result: MixtureModelSelection.Result) -> ClusterCountChoice {
    var perK: [Int: (Double, String)] = [:]
    for e in result.entries {
      guard let f = e.fit else { continue }
      if f.mclustBIC > (perK[e.componentCount]?.0 ?? -.infinity) {
        perK[e.componentCount] = (f.mclustBIC, e.model.rawValue)
      }
    }
    let rows = perK.keys.sorted().map { k in
      Row(
        k: k, totalWithinSS: nil, averageSilhouette: nil, mclustBIC: perK[k]?.0,
        model: perK[k]?.1)
    }
    return ClusterCountChoice(
      rows: rows, recommended: result.best?.componentCount,
      rule:
        "the model and k with the highest mclustBIC = 2 logL - p ln n (equivalently the lowest "
        + "bic = -2 logL + p ln n) among the fits that succeeded")
  }
}
