import Optimization

/// NLopt's version string, re-exported for reports.
enum NLoptVersion {
  static var string: String { NLoptLibrary.version }
}
