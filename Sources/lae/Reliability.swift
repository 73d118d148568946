import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae reliability`: psych::alpha statistics per area (and per group on request).
struct ReliabilityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reliability",
    abstract:
      "Reliability per area: alpha, standardized alpha, G6, average r, item statistics (as psych::alpha).",
    discussion: """
      Reverse keys and option scores come from the instrument. Missing answers enter the \
      covariances pairwise (psych's default) unless --listwise is given; the output says which.
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String

  @Option(help: "Responses CSV (long or wide layout); '-' reads standard input.")
  var responses: String

  @Flag(help: "One analysis per area and respondent group.")
  var byGroup = false

  @Flag(help: "Use only respondents who answered every item of the area.")
  var listwise = false

  @OptionGroup var common: CommonOptions

  struct Output: Encodable {
    let instrument: String
    let missingData: String
    let areas: [AreaReliability]
  }

  func run() throws {
    common.applyThreading()
    do {
      let definition = try Instrument.named(instrument)
      let result = try SurveyReader().read(responses, instrument: definition)
      if !result.report.isClean {
        FileHandleOutput.standardError(result.report.text)
        FileHandleOutput.standardError("lae: warning: rejected rows are left out of the analysis.")
      }
      let analysis = ReliabilityAnalysis(missingData: listwise ? .listwise : .pairwise)
      let areas = AreaReliability.compute(result.table, byGroup: byGroup, analysis: analysis)
      switch common.format {
      case .json:
        var inputs: [Provenance.InputFile] = []
        if responses != "-" { inputs.append(try Provenance.InputFile(hashingFileAt: responses)) }
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs),
          body: Output(
            instrument: definition.id, missingData: analysis.missingData.rawValue, areas: areas))
        print(try document.jsonString())
      case .table:
        print("missing data: \(analysis.missingData.rawValue)")
        print(
          pad("area", 8) + pad("group", 10) + pad("items", 6) + pad("n", 8) + pad("raw_alpha", 11)
            + pad("std.alpha", 11) + pad("G6(smc)", 9) + pad("average_r", 11) + pad("ase", 8)
            + "median_r")
        for a in areas {
          guard let r = a.reliability else {
            print(pad(a.area, 8) + pad(a.group ?? "all", 10) + (a.problem ?? ""))
            continue
          }
          print(
            pad(a.area, 8) + pad(a.group ?? "all", 10) + pad("\(r.items.count)", 6)
              + pad("\(r.respondentCount)", 8) + pad(f(r.rawAlpha), 11)
              + pad(f(r.standardizedAlpha), 11)
              + pad(f(r.g6), 9) + pad(f(r.averageR), 11) + pad(f(r.alphaStandardError), 8)
              + f(r.medianR))
        }
      }
    } catch {
      throw fail(error)
    }
  }

  func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }
  func f(_ x: Double) -> String { String(format: "%.3f", x) }
}
