/// Problems with the data or the settings of a clustering, each naming its context.
public enum ClusteringError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Fewer usable rows than clusters (or than a method needs).
  case tooFewRows(rows: Int, needed: Int, context: String)
  /// A column is constant, so it cannot be divided by its standard deviation.
  case zeroVariance(column: String, source: String)
  /// A value is NaN or infinite where only finite numbers are allowed.
  case nonFiniteValue(row: Int, column: Int)
  /// A setting is out of range (for example a cluster count below 1).
  case invalidSetting(String)
  /// The data hold no columns.
  case noFeatures
  /// A named column is not in the file.
  case unknownColumn(column: String, source: String)
  /// A Gaussian mixture could not be estimated (singular covariance, empty component).
  case mixtureFailed(model: String, components: Int, reason: String)

  public var description: String {
    switch self {
    case .tooFewRows(let rows, let needed, let context):
      return
        "\(context) has \(rows) usable row(s) but \(needed) are needed; lower k or supply more units."
    case .zeroVariance(let column, let source):
      return
        "Column '\(column)' of \(source) is constant, so --standardize cannot divide by its "
        + "standard deviation; drop the column or cluster without standardizing."
    case .nonFiniteValue(let row, let column):
      return
        "Row \(row + 1), column \(column + 1) is not a finite number; drop or impute missing "
        + "values before clustering."
    case .invalidSetting(let text): return text
    case .noFeatures: return "No feature columns were given; name at least one column."
    case .unknownColumn(let column, let source):
      return "Column '\(column)' is not in \(source); check --columns and --id against its header."
    case .mixtureFailed(let model, let components, let reason):
      return
        "The \(model) mixture with \(components) component(s) cannot be estimated: \(reason). "
        + "Try fewer components or a more constrained covariance model."
    }
  }
}
