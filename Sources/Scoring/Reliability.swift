/// The result of ``ReliabilityAnalysis/fit(_:)``: psych's `alpha` output, with its names.
///
/// JSON field names are part of the public interface: `rawAlpha`, `standardizedAlpha`, `g6`,
/// `averageR`, `signalToNoise`, `alphaStandardError`, `medianR`, and `itemStatistics` (per item:
/// `item`, `rawR`, `stdR`, `rCor`, `rDrop`, `mean`, `sd`, `alphaIfDropped`).
public struct Reliability: Sendable, Codable, Equatable {
  /// Items analysed (zero-variance items excluded).
  public let items: [String]
  /// Respondents (rows) in the data.
  public let respondentCount: Int
  /// How missing answers entered the covariances.
  public let missingData: ReliabilityAnalysis.MissingData
  /// Cronbach's alpha from covariances (psych `raw_alpha`).
  public let rawAlpha: Double
  /// Alpha from correlations (psych `std.alpha`).
  public let standardizedAlpha: Double
  /// Guttman's lambda 6 from squared multiple correlations (psych `G6(smc)`).
  public let g6: Double
  /// Mean inter-item correlation (psych `average_r`).
  public let averageR: Double
  /// Signal-to-noise ratio `k·r̄/(1 − r̄)` (psych `S/N`).
  public let signalToNoise: Double
  /// Standard error of alpha, Duhachek and Iacobucci (psych `ase`).
  public let alphaStandardError: Double
  /// Median inter-item correlation (psych `median_r`).
  public let medianR: Double
  /// Variance of the inter-item correlations (psych `var.r`); `nil` with two items, where
  /// there is one correlation (psych's `NA`).
  public let varianceR: Double?
  /// Mean of the respondents' mean scores (psych `mean`).
  public let meanScore: Double
  /// SD of the respondents' mean scores (psych `sd`).
  public let sdScore: Double
  /// 95% interval `alpha ± 1.96·se` (psych's "Duhachek" boundaries).
  public let duhachekInterval: [Double]
  /// Feldt's 95% interval from the F distribution with `n − 1` and `(n − 1)(k − 1)` degrees
  /// of freedom (psych's `alpha.ci`).
  public let feldtInterval: [Double]
  /// McDonald's omega total from a one-factor minres model, as `psych::omega(nfactors = 1)`
  /// (`nil` with fewer than three items; see ``omegaNote``).
  public let omegaTotal: Double?
  /// Omega total from maximum-likelihood loadings, as R's `factanal` (`nil` with fewer than
  /// three items or when the correlations are singular; see ``omegaNote``).
  public let omegaTotalML: Double?
  /// Why an omega is missing, or what to know about it (flipped items, Heywood cases,
  /// optimiser not converged); `nil` when there is nothing to say.
  public let omegaNote: String?
  /// Per-item statistics.
  public let itemStatistics: [ItemStatistics]
  /// Items excluded because their answers do not vary.
  public let zeroVarianceItems: [String]

  /// Statistics of one item.
  public struct ItemStatistics: Sendable, Codable, Equatable {
    /// Item name.
    public let item: String
    /// Respondents who answered it.
    public let n: Int
    /// Correlation with the mean score (pairwise).
    public let rawR: Double
    /// Standardized item-total correlation.
    public let stdR: Double
    /// Item-total correlation corrected for overlap and reliability (smc on the diagonal).
    public let rCor: Double
    /// Correlation with the sum of the other items.
    public let rDrop: Double
    /// Mean answer.
    public let mean: Double
    /// SD of the answers.
    public let sd: Double
    /// The alpha family with this item dropped.
    public let alphaIfDropped: AlphaIfDropped
    /// Loading on the single minres factor behind ``Reliability/omegaTotal``.
    public let loading: Double?
    /// Loading on the single maximum-likelihood factor behind ``Reliability/omegaTotalML``.
    public let loadingML: Double?
  }

  /// The alpha family of the remaining items (psych's `alpha.drop`).
  public struct AlphaIfDropped: Sendable, Codable, Equatable {
    /// Raw alpha.
    public let rawAlpha: Double
    /// Standardized alpha.
    public let standardizedAlpha: Double
    /// Guttman's lambda 6.
    public let g6: Double
    /// Mean inter-item correlation.
    public let averageR: Double
    /// Signal-to-noise ratio.
    public let signalToNoise: Double
    /// Standard error of alpha (`nil` with two items, as psych's `NA`).
    public let alphaStandardError: Double?
    /// Variance of the inter-item correlations (`nil` when one correlation remains).
    public let varianceR: Double?
    /// Median inter-item correlation.
    public let medianR: Double
  }
}

/// A problem that prevents scoring or a reliability analysis.
public enum ScoringError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Fewer than two items have variance.
  case tooFewItems(usable: Int, zeroVariance: [String])
  /// Too few respondents answered each pair of items.
  case tooFewRespondents(Int)
  /// The correlation matrix could not be decomposed.
  case singularCorrelations
  /// Partial results that cannot be merged, and why.
  case incompatiblePartials(String)

  /// A full sentence with a suggestion.
  public var description: String {
    switch self {
    case .tooFewItems(let usable, let zero):
      return "Reliability needs at least two items with varying answers; \(usable) usable"
        + (zero.isEmpty ? "." : ", and these items do not vary: \(zero.joined(separator: ", ")).")
    case .tooFewRespondents(let n):
      return "Some pair of items was answered together by fewer than two of the \(n) respondents; "
        + "collect more answers or use listwise deletion."
    case .singularCorrelations:
      return "The item correlations could not be decomposed; check for duplicated items."
    case .incompatiblePartials(let why):
      return "These partial results cannot be merged: \(why). Score every shard with the same "
        + "instrument and --by."
    }
  }
}
