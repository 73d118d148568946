import Glibc

/// Turns a LAPACK `info` code into a thrown ``MatrixError`` or a stop.
enum LAPACKInfo {
  enum Positive {
    case notPositiveDefinite
    case singular
    case noConvergence
  }

  /// `info < 0` is an argument error: our bug, never the user's. `info > 0` is a numerical
  /// property of the data and becomes a typed error.
  static func check(_ info: Int32, routine: String, positive: Positive) throws(MatrixError) {
    precondition(info >= 0, "\(routine): argument \(-info) is invalid")
    guard info > 0 else { return }
    switch positive {
    case .notPositiveDefinite: throw MatrixError.notPositiveDefinite(leadingMinor: Int(info))
    case .singular: throw MatrixError.singular(pivot: Int(info))
    case .noConvergence: throw MatrixError.noConvergence(routine: routine, info: Int(info))
    }
  }
}

@inline(__always) func naturalLogarithm(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func cosine(_ x: Double) -> Double { Glibc.cos(x) }
