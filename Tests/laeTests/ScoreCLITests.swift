import Foundation
import Testing

@Suite("lae score --partial and lae merge", .serialized)
struct ScoreCLITests {
  let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-score-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  @Test func mergedShardsPrintWhatOneRunPrints() throws {
    let sim = folder.appendingPathComponent("sim").path
    let made = try LAERun([
      "simulate", "--schools", "8", "--hubs", "2", "--waves", "2", "--seed", "11", "--out", sim,
    ])
    #expect(made.status == 0, "\(made.standardError)")
    // Shard the responses by hub (column 5), keeping the header in each shard.
    let text = try String(contentsOfFile: "\(sim)/responses.csv", encoding: .utf8)
    let lines = text.split(separator: "\n")
    var shards: [String: [Substring]] = [:]
    for line in lines.dropFirst() {
      shards[String(line.split(separator: ",")[4]), default: [lines[0]]].append(line)
    }
    #expect(shards.count == 2)
    var partials: [String] = []
    for (hub, shard) in shards.sorted(by: { $0.key < $1.key }) {
      let path = folder.appendingPathComponent("\(hub).csv").path
      try Data((shard.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
      let partial = try LAERun([
        "score", "--instrument", "\(sim)/instrument.json", "--responses", path, "--partial",
      ])
      #expect(partial.status == 0, "\(partial.standardError)")
      let out = folder.appendingPathComponent("\(hub).json").path
      try Data(partial.standardOutput.utf8).write(to: URL(fileURLWithPath: out))
      partials.append(out)
    }
    for report in ["areas", "items", "gaps", "changes", "levels"] {
      let whole = try LAERun([
        "score", "--instrument", "\(sim)/instrument.json", "--responses",
        "\(sim)/responses.csv", "--format", "csv", "--report", report,
      ])
      let merged = try LAERun(
        ["merge", "--instrument", "\(sim)/instrument.json", "--format", "csv", "--report", report]
          + partials.reversed())
      #expect(merged.status == 0, "\(merged.standardError)")
      #expect(whole.standardOutput.split(separator: "\n").count > 2, "\(report)")
      #expect(merged.standardOutput == whole.standardOutput, "\(report)")
    }
    // A file that is not a partial result is a located error, exit 1.
    let bad = try LAERun(["merge", "\(sim)/responses.csv"])
    #expect(bad.status == 1)
    #expect(bad.standardError.contains("responses.csv: not a partial result"))
  }
}

@Suite("lae mentor", .serialized)
struct MentorCLITests {
  /// The README's three-level growth example: respondent scores with the school's mentoring
  /// status from lae mentor's pairs, then waves within teachers within schools.
  @Test func mentoringStatusForAThreeLevelGrowthModel() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-mentoring-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let sim = folder.appendingPathComponent("mentoring").path
    let made = try LAERun([
      "simulate", "--schools", "15", "--hubs", "3", "--waves", "3", "--seed", "5", "--out", sim,
    ])
    #expect(made.status == 0, "\(made.standardError)")
    let schools = try LAERun([
      "score", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--by", "school,wave", "--layout", "wide", "--format", "csv",
    ])
    let schoolsPath = folder.appendingPathComponent("schools.csv").path
    try Data(schools.standardOutput.utf8).write(to: URL(fileURLWithPath: schoolsPath))
    let pairs = try LAERun([
      "mentor", "--scores", schoolsPath, "--roster", "\(sim)/roster.csv", "--wave", "1",
      "--capacity", "1", "--format", "csv",
    ])
    #expect(pairs.status == 0, "\(pairs.standardError)")
    let pairsPath = folder.appendingPathComponent("pairs.csv").path
    try Data(pairs.standardOutput.utf8).write(to: URL(fileURLWithPath: pairsPath))
    let teachers = try LAERun([
      "score", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--by", "respondent", "--layout", "wide", "--format", "csv", "--mentoring", pairsPath,
    ])
    #expect(teachers.status == 0, "\(teachers.standardError)")
    let lines = teachers.standardOutput.split(separator: "\n")
    #expect(
      lines.first?.hasPrefix("school,respondent,group,wave,hub,teacher,mentoring,A,") == true)
    let statuses = Set(
      lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[6]) })
    #expect(statuses == ["mentor", "mentee", "neither"])
    let teachersPath = folder.appendingPathComponent("teachers.csv").path
    try Data(teachers.standardOutput.utf8).write(to: URL(fileURLWithPath: teachersPath))
    let growth = try LAERun([
      "growth", "--data", teachersPath, "--formula",
      "A ~ wave * mentoring + (1 + wave | school) + (1 + wave | school:teacher)",
      "--reference", "mentoring=neither", "--format", "json",
    ])
    #expect(growth.status == 0, "\(growth.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(growth.standardOutput.utf8))
    let dict = try #require(object as? [String: Any])
    let terms = (dict["fixedEffects"] as? [[String: Any]])?.compactMap { $0["term"] as? String }
    #expect(terms?.contains("wave:mentoringmentor") == true)
    let levels = try #require(dict["iccByLevel"] as? [[String: Any]])
    #expect(levels.compactMap { $0["group"] as? String } == ["school:teacher", "school"])
    // --mentoring only with respondent scores; a file without the pairs' columns is an error.
    let wrong = try LAERun([
      "score", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--mentoring", pairsPath,
    ])
    #expect(wrong.status == 64)
    let notPairs = try LAERun([
      "score", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--by", "respondent", "--mentoring", schoolsPath,
    ])
    #expect(notPairs.status != 0)
    #expect(notPairs.standardError.contains("mentor"))
  }

  @Test func pairsWithinHubsWithinCapacity() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-mentor-\(UUID().uuidString)")
    let sim = folder.appendingPathComponent("sim").path
    let made = try LAERun([
      "simulate", "--schools", "18", "--hubs", "3", "--teachers", "3", "--waves", "2", "--seed",
      "4",
      "--out", sim,
    ])
    #expect(made.status == 0, "\(made.standardError)")
    let wide = try LAERun([
      "score", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--by", "school,wave", "--layout", "wide", "--format", "csv",
    ])
    let scores = folder.appendingPathComponent("wide.csv")
    try Data(wide.standardOutput.utf8).write(to: scores)
    let run = try LAERun([
      "mentor", "--scores", scores.path, "--roster", "\(sim)/roster.csv", "--capacity", "1",
      "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object =
      try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
    let pairs = object?["pairs"] as? [[String: Any]] ?? []
    #expect(!pairs.isEmpty)
    #expect(object?["wave"] as? String == "2")
    // Hubs from the roster: every pair within one hub, each mentor once (capacity 1).
    let roster = try String(contentsOfFile: "\(sim)/roster.csv", encoding: .utf8)
    var hub: [String: String] = [:]
    for line in roster.split(separator: "\n").dropFirst() {
      let f = line.split(separator: ",", omittingEmptySubsequences: false)
      if f[0] == "school" { hub[String(f[1])] = String(f[3]) }
    }
    let mentors = pairs.compactMap { $0["mentor"] as? String }
    #expect(Set(mentors).count == mentors.count)
    for p in pairs {
      #expect(hub[p["mentor"] as? String ?? ""] == hub[p["mentee"] as? String ?? "x"])
      #expect(p["group"] as? String == hub[p["mentor"] as? String ?? ""])
    }
    // Without hubs it says what to give.
    let noHub = try LAERun(["mentor", "--scores", scores.path])
    #expect(noHub.status != 0 && noHub.standardError.contains("--roster"))
  }
}

@Suite("lae report", .serialized)
struct ReportCLITests {
  @Test func writesProgrammeAndSchoolReports() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-report-\(UUID().uuidString)")
    let sim = folder.appendingPathComponent("sim").path
    let made = try LAERun([
      "simulate", "--schools", "9", "--hubs", "3", "--teachers", "3", "--waves", "2", "--seed", "8",
      "--out", sim,
    ])
    #expect(made.status == 0, "\(made.standardError)")
    let out = folder.appendingPathComponent("out").path
    for extra in [[], ["--school", "S002"]] {
      let run = try LAERun(
        [
          "report", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
          "--out", out,
        ] + extra)
      #expect(run.status == 0, "\(run.standardError)")
      // No progress bar when standard error is not a terminal.
      #expect(run.standardError.isEmpty, "\(run.standardError)")
    }
    for file in ["report.html", "report.md", "report.json", "school-S002.html", "school-S002.json"]
    {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
    }
    let html = try String(contentsOfFile: "\(out)/school-S002.html", encoding: .utf8)
    #expect(html.contains("<h2>Area profile</h2>") && html.contains("<h2>Mentoring pairs</h2>"))
    let unknown = try LAERun([
      "report", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--out", out, "--school", "S999",
    ])
    #expect(unknown.status == 1 && unknown.standardError.contains("School 'S999' has no responses"))
  }
}

@Suite("lae analyze", .serialized)
struct AnalyzeCLITests {
  @Test func wholePipelineIntoAFolder() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-analyze-\(UUID().uuidString)")
    let sim = folder.appendingPathComponent("sim").path
    _ = try LAERun([
      "simulate", "--schools", "9", "--hubs", "3", "--teachers", "3", "--waves", "2", "--seed", "6",
      "--out", sim,
    ])
    let config = folder.appendingPathComponent("config.json")
    try Data(#"{"schoolReports": ["S001"], "mentoringCapacity": 1}"#.utf8).write(to: config)
    let out = folder.appendingPathComponent("out").path
    let run = try LAERun([
      "analyze", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--roster", "\(sim)/roster.csv", "--config", config.path, "--out", out,
    ])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("Report: ") && run.standardOutput.contains("0 rejected"))
    for file in [
      "validation.txt", "scores.csv", "school-scores-wide.csv", "score-details.json",
      "reliability.json", "mentoring.json", "report.html", "report.md", "report.json",
      "school-S001.html", "summary.txt",
    ] {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
    }
    // No progress bar when standard error is not a terminal.
    #expect(run.standardError.isEmpty, "\(run.standardError)")
    // A setting the engine does not know is a clear error naming the file.
    try Data(#"{"mentorCapacity": 1}"#.utf8).write(to: config)
    let bad = try LAERun([
      "analyze", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--config", config.path, "--out", out,
    ])
    #expect(bad.status == 1 && bad.standardError.contains("unknown setting 'mentorCapacity'"))
  }
}

@Suite("lae analyze with activity logs", .serialized)
struct AnalyzeLogsCLITests {
  @Test func activityIndicatorsAndTheActivitySection() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-analyze-logs-\(UUID().uuidString)")
    let sim = folder.appendingPathComponent("sim").path
    let made = try LAERun([
      "simulate", "--schools", "9", "--hubs", "3", "--teachers", "4", "--students", "4",
      "--waves", "2", "--seed", "6", "--out", sim,
    ])
    #expect(made.status == 0, "\(made.standardError)")
    #expect(FileManager.default.fileExists(atPath: "\(sim)/activity.jsonl"))
    let key = folder.appendingPathComponent("programme.key").path
    try Data("a secret key of the programme, 32+".utf8).write(to: URL(fileURLWithPath: key))
    let out = folder.appendingPathComponent("out").path
    let common = [
      "analyze", "--instrument", "\(sim)/instrument.json", "--responses", "\(sim)/responses.csv",
      "--roster", "\(sim)/roster.csv", "--out", out,
    ]
    let run = try LAERun(
      common + ["--logs", "\(sim)/activity.jsonl", "--pseudonym-key-file", key])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardError.isEmpty, "\(run.standardError)")
    #expect(run.standardOutput.contains("Activity: "))
    #expect(run.standardOutput.contains("0 actors not in the roster"))
    for file in ["activity.csv", "activity-validation.txt"] {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
    }
    let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
    #expect(html.contains("<h2>Activity over time</h2>") && html.contains("id=\"activity\""))
    let csv = try String(contentsOfFile: "\(out)/activity.csv", encoding: .utf8)
    #expect(csv.hasPrefix("level,unit,school,hub,period,") && csv.contains("\nhub,H1,,H1,"))
    // The same through the configuration file (log, key and session gap).
    let config = folder.appendingPathComponent("config.json")
    try Data(
      #"{"logs": "\#(sim)/activity.jsonl", "pseudonymKeyFile": "\#(key)", "sessionGapMinutes": 20}"#
        .utf8
    ).write(to: config)
    let viaConfig = try LAERun(common + ["--config", config.path])
    #expect(viaConfig.status == 0, "\(viaConfig.standardError)")
    #expect(viaConfig.standardOutput.contains("Activity: "))
    // A log without a key is a usage error that says what to do.
    let noKey = try LAERun(common + ["--logs", "\(sim)/activity.jsonl"])
    #expect(noKey.status == 64 && noKey.standardError.contains("--pseudonym-key-file"))
    let unkeyed = try LAERun(common + ["--logs", "\(sim)/activity.jsonl", "--unkeyed"])
    #expect(unkeyed.status == 0, "\(unkeyed.standardError)")
  }
}
