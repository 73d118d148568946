import ArgumentParser
import Testing

@testable import lae

/// `lae growth`'s quick parse (`QuickArguments`) must give the settings ArgumentParser gives,
/// and decline what only ArgumentParser should handle.
@Suite("Quick parse of lae growth")
struct QuickArgumentsTests {
  static let accepted: [[String]] = [
    ["--data", "d.csv", "--formula", "y ~ t + (t | g)"],
    [
      "--data=d.csv", "--formula=y ~ 1 + (1 | g)", "--reference", "a=b", "--reference", "c=d",
      "--factor", "x", "--factor=z", "--ml", "--strict", "--quiet", "--threads", "2",
      "--blas-threads", "3", "--format", "json", "--df", "residual", "--confidence-level",
      "0.9", "--ci", "wald", "--compare", "y ~ 1 + (1 | h)",
    ],
    [
      "--data", "-", "--formula", "y ~ t + (t | g)", "--residual", "ar1", "--time", "t",
      "--residual-group", "g", "--format", "csv",
    ],
    ["--data", "d.csv", "--formula", "f", "--weights", "varident", "--by", "wave", "--ci=wald"],
    [
      "--formula", "y ~ t + (1 | g/h)", "--data", "d.csv", "--df", "kenward-roger", "--ci",
      "profile",
    ],
  ]

  @Test(arguments: accepted)
  func sameCommandAsArgumentParser(_ line: [String]) throws {
    let quick = try #require(GrowthSettings(quick: line))
    let parsed = try Growth.parse(line)
    #expect(quick == parsed.settings)
    // Every option of the command is a setting (none left out of the comparison).
    #expect(Mirror(reflecting: parsed).children.count == Mirror(reflecting: quick).children.count)
  }

  static let declined: [[String]] = [
    ["--help"],
    ["-h"],
    ["--data", "d.csv", "--formula", "f", "--version"],
    ["--data", "d.csv"],
    ["--data", "d.csv", "--formula", "f", "--unknown"],
    ["--data", "d.csv", "--data", "e.csv", "--formula", "f"],
    ["--data", "d.csv", "--formula", "f", "--threads", "0"],
    ["--data", "d.csv", "--formula", "f", "--threads", "two"],
    ["--data", "d.csv", "--formula", "f", "--df", "bogus"],
    ["--data", "d.csv", "--formula", "f", "--confidence-level", "-0.5"],
    ["--data", "d.csv", "--formula", "f", "--ml=yes"],
    ["--data", "d.csv", "--formula"],
    ["--data", "d.csv", "--formula", "f", "--residual", "ar1"],
    ["--data", "d.csv", "--formula", "f", "extra"],
  ]

  @Test(arguments: declined)
  func declinesWhatArgumentParserShouldHandle(_ line: [String]) {
    #expect(GrowthSettings(quick: line) == nil)
  }
}
