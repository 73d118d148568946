import MatrixCore
import Testing
import _TestSupport

@testable import Scoring

@Suite("Beta and F distributions against R")
struct DistributionTests {
  // Values from R 4.2: qf(0.975, 5, 10), qf(0.025, 299, 1495), pbeta(0.3, 2.5, 7), qf(0.5, 1, 1).
  @Test func agreesWithR() {
    #expect(
      approximatelyEqual(
        BetaDistribution.fQuantile(0.975, 5, 10), 4.2360856681886334, relativeTolerance: 1e-10))
    #expect(
      approximatelyEqual(
        BetaDistribution.fQuantile(0.025, 299, 1495), 0.8343660589992874, relativeTolerance: 1e-10))
    #expect(
      approximatelyEqual(
        BetaDistribution.regularized(0.3, 2.5, 7), 0.64122246297172114, relativeTolerance: 1e-12))
    #expect(approximatelyEqual(BetaDistribution.fQuantile(0.5, 1, 1), 1, relativeTolerance: 1e-10))
  }

  @Test func edges() {
    #expect(BetaDistribution.regularized(0, 2, 3) == 0)
    #expect(BetaDistribution.regularized(1, 2, 3) == 1)
    #expect(
      approximatelyEqual(BetaDistribution.regularized(0.5, 4, 4), 0.5, relativeTolerance: 1e-14))
  }
}
