import Foundation
import Testing

@Suite("lae validate and simulate", .serialized)
struct IngestCLITests {
  let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lae-cli-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  func write(_ name: String, _ text: String) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  @Test func simulateThenValidateIsClean() throws {
    let out = folder.appendingPathComponent("sim").path
    let sim = try LAERun([
      "simulate", "--schools", "6", "--waves", "2", "--seed", "3", "--out", out,
    ])
    #expect(sim.status == 0, "\(sim.standardError)")
    for file in ["instrument.json", "roster.csv", "responses.csv", "activity.jsonl", "truth.json"] {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
    }
    let run = try LAERun([
      "validate", "--instrument", "\(out)/instrument.json",
      "--responses", "\(out)/responses.csv", "--roster", "\(out)/roster.csv",
      "--logs", "\(out)/activity.jsonl",
    ])
    #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
    #expect(run.standardOutput.contains("0 rejected"))
    // The activity log validates as an LRS would, every statement accepted.
    #expect(
      run.standardOutput.contains("activity.jsonl (xapi-jsonl): ")
        && run.standardOutput.contains(" accepted, 0 rejected; 0 voiding"), "\(run.standardOutput)")
    // Same seed, same bytes.
    let again = folder.appendingPathComponent("sim2").path
    _ = try LAERun(["simulate", "--schools", "6", "--waves", "2", "--seed", "3", "--out", again])
    for file in ["responses.csv", "activity.jsonl", "roster.csv"] {
      #expect(
        FileManager.default.contents(atPath: "\(out)/\(file)")
          == FileManager.default.contents(atPath: "\(again)/\(file)"), "\(file)")
    }
    let json = try LAERun([
      "validate", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--format", "json",
    ])
    let object =
      try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    let inputs = (object?["provenance"] as? [String: Any])?["inputs"] as? [[String: Any]]
    #expect((inputs?.first?["sha256"] as? String)?.count == 64)
  }

  @Test func rejectedRowsExitOne() throws {
    let responses = try write(
      "bad.csv",
      "school,respondent,group,wave,item,value\nS1,r1,teacher,1,A1,9\nS1,r1,teacher,1,A2,3\n")
    let run = try LAERun([
      "validate", "--instrument", "school-self-reflection", "--responses", responses,
    ])
    #expect(run.status == 1)
    #expect(
      run.standardOutput.contains(
        "bad.csv:2:20: error: value '9' is not on scale 'agree5' of item 'A1'"))
    #expect(run.standardOutput.contains("2 rows read, 1 accepted, 1 rejected"))
  }

  @Test func malformedFilesExitOneWithAClearError() throws {
    let cases: [(String, String, String)] = [
      ("empty.csv", "", "the file is empty"),
      ("header.csv", "school,respondent,group,wave,item,value\n", "has a header but no data rows"),
      (
        "stray.csv", "school,respondent,group,wave,item,value\nS1,r\"1,teacher,1,A1,3\n",
        "stray quote"
      ),
      (
        "short.csv", "school,respondent,group,wave,item,value\nS1,r1,teacher,1,A1",
        "is the line truncated?"
      ),
      (
        "wide.csv", "school,respondent,group,wave,item,value\nS1,r1,teacher,1,A1,3,4\n",
        "expected 6 fields"
      ),
    ]
    for (name, text, message) in cases {
      let path = try write(name, text)
      let run = try LAERun([
        "validate", "--instrument", "school-self-reflection", "--responses", path,
      ])
      #expect(run.status == 1, "\(name)")
      #expect(
        (run.standardOutput + run.standardError).contains(message),
        "\(name): \(run.standardOutput) \(run.standardError)")
    }
    var bytes = Array("school,respondent,group,wave,item,value\nS1,r".utf8)
    bytes += [0xC3, 0x28] + Array(",teacher,1,A1,3\n".utf8)
    let path = folder.appendingPathComponent("latin.csv").path
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let run = try LAERun([
      "validate", "--instrument", "school-self-reflection", "--responses", path,
    ])
    #expect(run.status == 1 && run.standardOutput.contains("not valid UTF-8"))
    let missing = try LAERun([
      "validate", "--instrument", "school-self-reflection", "--responses", "/nonexistent.csv",
    ])
    #expect(
      missing.status == 1
        && missing.standardError.contains("/nonexistent.csv: error: cannot read the file"))
  }

  @Test func reliabilityPerArea() throws {
    let out = folder.appendingPathComponent("rel").path
    _ = try LAERun(["simulate", "--schools", "8", "--waves", "1", "--seed", "4", "--out", out])
    let run = try LAERun([
      "reliability", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--format", "json", "--by-group",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object =
      try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
    let areas = object?["areas"] as? [[String: Any]]
    #expect(areas?.count == 24)  // 8 areas x 3 groups
    #expect(object?["missingData"] as? String == "pairwise")
    let first = areas?.first?["reliability"] as? [String: Any]
    #expect((first?["rawAlpha"] as? Double).map { $0 > 0.5 && $0 < 1 } == true)
    #expect((first?["itemStatistics"] as? [[String: Any]])?.first?["rDrop"] != nil)
    // Leaders answer no item of some areas alone: such cells carry a problem, not numbers.
    #expect(
      areas?.contains { $0["problem"] != nil } == false
        || areas?.contains { $0["reliability"] == nil } == true)
  }

  @Test func scoreTidyWideAndRespondents() throws {
    let out = folder.appendingPathComponent("score").path
    _ = try LAERun([
      "simulate", "--schools", "4", "--hubs", "2", "--waves", "2", "--seed", "9", "--out", out,
    ])
    let tidy = try LAERun([
      "score", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--format", "csv", "--suppress-group", "leader=3",
    ])
    #expect(tidy.status == 0, "\(tidy.standardError)")
    let lines = tidy.standardOutput.split(separator: "\n")
    #expect(
      lines.first
        == "school,group,wave,area,n,mean,sd,se,ci_lower,ci_upper,mean_of_all_answers,answer_count,below_minimum,suppressed"
    )
    #expect(lines.contains { $0.hasPrefix("S001,leader,1,A,2,,") && $0.hasSuffix(",true") })
    let wide = try LAERun([
      "score", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--by", "school,wave", "--layout", "wide", "--format", "csv",
    ])
    #expect(wide.standardOutput.hasPrefix("school,wave,A,B,C,D,E,F,G,H\n"))
    #expect(wide.standardOutput.split(separator: "\n").count == 1 + 4 * 2)
    let respondents = try LAERun([
      "score", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--by", "respondent", "--format", "csv",
    ])
    #expect(respondents.standardOutput.hasPrefix("school,respondent,group,wave,hub,teacher,A,B"))
    let json = try LAERun([
      "score", "--instrument", "school-self-reflection", "--responses",
      "\(out)/responses.csv", "--format", "json",
    ])
    let object =
      try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    #expect((object?["rows"] as? [Any])?.isEmpty == false)
    #expect(object?["provenance"] != nil)
    #expect(
      try LAERun(["score", "--instrument", "x", "--responses", "y", "--by", "class"]).status == 64)
  }

  @Test func reliabilityWithKeysFileMatchesPsych() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/references/reliability")
    let keys = try write(
      "keys.csv",
      "item,scale,key,note\nA1,agree,1,\nA2,agree,1,\nA3r,agree,-1,reversed\nA4,agree,1,\nA5,agree,1,\nA7,agree,1,\n"
    )
    let run = try LAERun([
      "reliability", "--keys", keys, "--responses", root.appendingPathComponent("likert6.csv").path,
      "--format", "json",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let object =
      try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
    let area = (object?["areas"] as? [[String: Any]])?.first
    let alpha = (area?["reliability"] as? [String: Any])?["rawAlpha"] as? Double
    #expect(
      alpha.map { abs($0 - 0.82176205055109375) < 1e-12 } == true, "\(String(describing: alpha))")
    #expect(
      try LAERun(["reliability", "--keys", keys, "--instrument", "x", "--responses", "y"]).status
        == 64)
    let bad = try write("bad-keys.csv", "item,scale,key\nA1,agree,2\n")
    let failed = try LAERun([
      "reliability", "--keys", bad, "--responses", root.appendingPathComponent("likert6.csv").path,
    ])
    #expect(failed.status == 1 && failed.standardError.contains("must be 1 or -1"))
    // The same data in the long layout (respondent,item,value) gives the same numbers.
    let wide = try String(
      contentsOf: root.appendingPathComponent("likert6.csv"), encoding: .utf8
    ).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let names = wide[0].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    var long = "respondent,item,value\n"
    for (i, row) in wide.dropFirst().enumerated() {
      for (j, v) in row.enumerated() { long += "p\(i),\(names[j]),\(v)\n" }
    }
    let longPath = try write("long.csv", long)
    let fromLong = try LAERun([
      "reliability", "--keys", keys, "--responses", longPath, "--format", "json",
    ])
    #expect(fromLong.status == 0, "\(fromLong.standardError)")
    let longObject =
      try JSONSerialization.jsonObject(with: Data(fromLong.standardOutput.utf8)) as? [String: Any]
    let longArea = (longObject?["areas"] as? [[String: Any]])?.first
    #expect((longArea?["reliability"] as? [String: Any])?["rawAlpha"] as? Double == alpha)
    // Tidy CSV carries the same numbers, named as in the JSON.
    let csv = try LAERun([
      "reliability", "--keys", keys, "--responses", longPath, "--format", "csv",
    ])
    let lines = csv.standardOutput.split(separator: "\n")
    #expect(lines.first == "area,group,missing_data,item,statistic,value")
    let alphaLine = lines.first { $0.contains(",,rawAlpha,") }
    // (JSONSerialization on Linux may misread the last bit of a double; allow 1e-15.)
    let csvAlpha = alphaLine.flatMap { Double($0.split(separator: ",").last ?? "") }
    #expect(abs((csvAlpha ?? 0) - (alpha ?? 1)) < 1e-15)
    let badLong = try write("bad-long.csv", "respondent,item,value\np1,A1,3\np1,A2,x\n")
    let located = try LAERun(["reliability", "--keys", keys, "--responses", badLong])
    #expect(located.status == 1)
    #expect(located.standardError.contains("bad-long.csv:3:3"), "\(located.standardError)")
  }

  @Test func readsStandardInput() throws {
    let text =
      "school,respondent,group,wave,item,value\nS1,r1,teacher,1,A1,3\nS1,r1,teacher,1,A2,4\n"
    let run = try LAERun(
      ["validate", "--instrument", "school-self-reflection", "--responses", "-"],
      standardInput: text)
    #expect(run.status == 0, "\(run.standardError)")
    #expect(
      run.standardOutput.contains("-: ")
        || run.standardOutput.contains("- (long layout): 2 rows read, 2 accepted"))
  }

  @Test func usageErrorsExit64() throws {
    #expect(try LAERun(["validate", "--responses", "x.csv"]).status == 64)
    #expect(
      try LAERun(["validate", "--instrument", "i", "--responses", "x", "--max-errors", "0"]).status
        == 64)
    #expect(
      try LAERun(["validate", "--instrument", "i", "--responses", "x", "--layout", "diagonal"])
        .status == 64)
    #expect(try LAERun(["simulate", "--out", "x", "--schools", "0"]).status == 64)
  }
}
