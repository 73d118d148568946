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
