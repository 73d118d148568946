import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae simulate`: write a seeded, realistic programme to a folder.
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Simulate a programme: instrument, roster, responses and the generating truth.",
    discussion: """
      Writes instrument.json, roster.csv, responses.csv (long layout), activity.jsonl \
      (the teachers' xAPI statements, under the log identities roster.csv gives them) and \
      truth.json into the output folder. The same seed gives the same files.
      """)

  @Option(help: "Number of schools.")
  var schools: Int = 75

  @Option(help: "Number of regional hubs.")
  var hubs: Int = 5

  @Option(help: "Teachers per school.")
  var teachers: Int = 8

  @Option(help: "Students per school and wave.")
  var students: Int = 20

  @Option(help: "Number of waves.")
  var waves: Int = 4

  @Option(help: "Random seed.")
  var seed: UInt64 = 2024

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String = "school-self-reflection"

  @Option(help: "Output folder (created if missing).")
  var out: String

  @OptionGroup var common: CommonOptions

  func validate() throws {
    guard schools >= 1, hubs >= 1, teachers >= 2, students >= 0, waves >= 1 else {
      throw ValidationError(
        "--schools, --hubs and --waves must be at least 1, --teachers at least 2, --students at least 0."
      )
    }
    guard schools >= hubs else { throw ValidationError("--schools must be at least --hubs.") }
  }

  func run() throws {
    common.applyThreading()
    do {
      let definition = try Instrument.named(instrument)
      var simulator = ProgrammeSimulator()
      simulator.schoolCount = schools
      simulator.hubCount = hubs
      simulator.teachersPerSchool = teachers
      simulator.studentsPerSchool = students
      simulator.waveCount = waves
      var rng = SplitMix64(seed: seed)
      let programme = try simulator.simulate(instrument: definition, using: &rng)
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      let folder = URL(fileURLWithPath: out)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try encoder.encode(programme.instrument).write(
        to: folder.appendingPathComponent("instrument.json"))
      try programme.roster.write(to: folder.appendingPathComponent("roster.csv").path)
      try SurveyWriter(layout: .long).write(
        programme.responses, to: folder.appendingPathComponent("responses.csv").path)
      try Data(programme.activity).write(to: folder.appendingPathComponent("activity.jsonl"))
      var truth = programme.truth
      truth.seed = seed
      let document = ProvenancedDocument(
        provenance: Provenance(commandLine: CommandLine.arguments, seed: seed), body: truth)
      try Data(try document.jsonString().utf8).write(
        to: folder.appendingPathComponent("truth.json"))
      let summary = """
        simulated \(schools) schools in \(hubs) hubs, \(waves) waves, seed \(seed): \
        \(programme.responses.count) answers, \(programme.roster.teachers.count) teachers, \
        \(programme.activityStatementCount) activity statements
        wrote \(out)/instrument.json, roster.csv, responses.csv, activity.jsonl, truth.json
        """
      if common.format == .json {
        print(
          try ProvenancedDocument(
            provenance: Provenance(commandLine: CommandLine.arguments, seed: seed), body: truth
          ).jsonString())
      } else {
        print(summary)
      }
    } catch {
      throw fail(error)
    }
  }
}
