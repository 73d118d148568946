/// A numerical problem found by a factorization or solve.
///
/// These are problems with the *numbers* (the data), so they are thrown. Programming errors,
/// such as multiplying matrices of mismatched shapes or a LAPACK argument error
/// (`info < 0`), stop the program through `precondition` instead.
public enum MatrixError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
  /// The matrix is not (numerically) positive definite: its leading minor of order
  /// `leadingMinor` (one-based, as LAPACK's `dpotrf` reports it) is not positive.
  case notPositiveDefinite(leadingMinor: Int)
  /// The matrix is exactly singular: pivot `pivot` (one-based, as LAPACK reports it) is zero.
  case singular(pivot: Int)
  /// An iterative LAPACK routine (eigen or singular value decomposition) did not converge;
  /// `info` is the routine's positive return code.
  case noConvergence(routine: String, info: Int)
  /// The input holds NaN or an infinity, which no factorization can use.
  case nonFiniteInput(routine: String)

  /// A full sentence describing the problem and what to try.
  public var description: String {
    switch self {
    case .notPositiveDefinite(let k):
      return "The matrix is not positive definite: its leading minor of order \(k) is not "
        + "positive. Check for constant or collinear columns, or add a small ridge to the diagonal."
    case .singular(let k):
      return "The matrix is singular: pivot \(k) is exactly zero. Check for linearly dependent "
        + "rows or columns."
    case .noConvergence(let routine, let info):
      return "\(routine) did not converge (info = \(info)). The input may be badly scaled; "
        + "try rescaling it."
    case .nonFiniteInput(let routine):
      return "\(routine) was given NaN or infinite values; remove or impute them first."
    }
  }
}
