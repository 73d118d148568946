import Foundation

/// mclust's covariance families for Gaussian mixtures, `Σₖ = λₖ Dₖ Aₖ Dₖᵀ` (volume λ,
/// shape A, orientation D; each Equal, Variable or Identity).
///
/// Names and parameter counts follow mclust (`nVarParams`), so that BIC values match R; the
/// cases keep mclust's upper-case names (labels follow R, STYLE §3). ``allCases`` (what
/// `--models all` and grids fit, in this order) keeps the order in which the families arrived
/// here; mclust's `emModelNames` order is EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV,
/// VEV, EVV, VVV, and EVE and VVE sit, as there, after VEE and before VEV.
public enum CovarianceModel: String, CaseIterable, Sendable, Codable, Hashable {
  /// Spherical, equal volume: `λI`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EII
  /// Spherical, varying volume: `λₖI`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VII
  /// Diagonal, equal volume and shape: `λA`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EEI
  /// Diagonal, varying volume, equal shape: `λₖA`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VEI
  /// Diagonal, equal volume, varying shape: `λAₖ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EVI
  /// Diagonal, varying volume and shape: `λₖAₖ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VVI
  /// Ellipsoidal, equal volume, shape and orientation: `Σ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EEE
  /// Ellipsoidal, varying volume, shape and orientation: `Σₖ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VVV
  /// Ellipsoidal, equal volume and shape, varying orientation: `λDₖADₖᵀ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EEV
  /// Ellipsoidal, equal volume, varying shape and orientation: `λCₖ`, `|Cₖ| = 1`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EVV
  /// Ellipsoidal, varying volume, equal shape and orientation: `λₖC`, `|C| = 1`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VEE
  /// Ellipsoidal, equal volume and orientation, varying shape: `λDAₖDᵀ`, `|Aₖ| = 1`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case EVE
  /// Ellipsoidal, varying volume and shape, equal orientation: `λₖDAₖDᵀ`, `|Aₖ| = 1`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VVE
  /// Ellipsoidal, varying volume and orientation, equal shape: `λₖDₖADₖᵀ`.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case VEV

  /// Number of free covariance parameters with `k` components in `d` dimensions (mclust's
  /// `nVarParams`).
  public func covarianceParameterCount(components k: Int, dimension d: Int) -> Int {
    switch self {
    case .EII: return 1
    case .VII: return k
    case .EEI: return d
    case .VEI: return k + d - 1
    case .EVI: return 1 + k * (d - 1)
    case .VVI: return k * d
    case .EEE: return d * (d + 1) / 2
    case .VVV: return k * d * (d + 1) / 2
    case .EEV: return 1 + (d - 1) + k * d * (d - 1) / 2
    case .EVV: return 1 + k * (d * (d + 1) / 2 - 1)
    case .VEE: return k + d * (d + 1) / 2 - 1
    case .EVE: return 1 + k * (d - 1) + d * (d - 1) / 2
    case .VVE: return k + k * (d - 1) + d * (d - 1) / 2
    case .VEV: return k + (d - 1) + k * d * (d - 1) / 2
    }
  }

  /// All free parameters: covariances, `k·d` means and `k − 1` mixing proportions (mclust's
  /// `nMclustParams` with unequal proportions).
  public func parameterCount(components k: Int, dimension d: Int) -> Int {
    covarianceParameterCount(components: k, dimension: d) + k * d + (k - 1)
  }

  /// Whether the covariance matrices are diagonal (or spherical).
  var isDiagonal: Bool { ![.EEE, .VVV, .EEV, .EVV, .VEE, .EVE, .VVE, .VEV].contains(self) }

  /// Parses a comma-separated list such as `EII,VVV`, or `all`.
  public static func parseList(_ text: String) -> [CovarianceModel]? {
    if text.lowercased() == "all" { return allCases }
    var out: [CovarianceModel] = []
    for part in text.split(separator: ",") {
      guard
        let m = CovarianceModel(rawValue: part.trimmingCharacters(in: .whitespaces).uppercased())
      else { return nil }
      if !out.contains(m) { out.append(m) }
    }
    return out.isEmpty ? nil : out
  }
}
