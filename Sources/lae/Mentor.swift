import ArgumentParser
import Foundation
import LearningAnalytics

/// `lae mentor`: optimal mentor-mentee pairs within hubs (or schools) from area scores.
struct Mentor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mentor",
    abstract: "Propose mentor-mentee pairs within hubs (or schools) from area scores.",
    discussion: """
      Reads wide area scores (lae score --by school,wave --layout wide --format csv, or \
      teacher-level scores with --id teacher --group-column school). A pair's complementarity \
      is the sum, over the areas where the mentor leads by at least --min-gap, of the lead \
      times the mentee's priority weight. Pairs maximise the total complementarity exactly \
      (an assignment problem per group, never greedy), with at most --capacity mentees per \
      mentor and one mentor per mentee. Mentors are the top third of each group by mean \
      score unless --mentors says otherwise.
      """)

  @Option(help: "Wide area scores CSV: one row per unit (and wave), one column per area.")
  var scores: String

  @Option(help: "Column with the unit id (default school).")
  var id: String = "school"

  @Option(help: "Column with the group within which pairs form (default: hub from --roster).")
  var groupColumn: String?

  @Option(help: "Roster CSV: gives each school's hub when the scores have no group column.")
  var roster: String?

  @Option(help: "Wave to use when the scores have a wave column (default: the latest).")
  var wave: String?

  @Option(help: "Area columns, comma-separated (default: every other numeric column).")
  var areas: String?

  @Option(help: "Mentees per mentor.")
  var capacity: Int = 2

  @Option(help: "Smallest lead, in scale points, for an area to count.")
  var minGap: Double = 0.5

  @Option(
    help: "Mentors: top:SHARE (of each group), min:MEAN, or list:ID1,ID2 (default top:0.333).")
  var mentors: String = "top:0.333"

  @Option(help: "CSV mentee,area,weight: priority weights (default 1).")
  var priorities: String?

  @Option(help: "CSV mentor,mentee: pairs that must not be formed.")
  var exclude: String?

  @Option(help: "CSV mentor,mentee: pairs that must be formed.")
  var fixed: String?

  @Option(help: "table, json or csv.")
  var format: AggregateOutputOptions.Format = .table

  func selection() throws -> MentorMatching.Selection {
    let parts = mentors.split(separator: ":", maxSplits: 1).map(String.init)
    guard parts.count == 2 else {
      throw ValidationError("--mentors takes top:SHARE, min:MEAN or list:IDS; got '\(mentors)'.")
    }
    switch parts[0] {
    case "top":
      guard let share = Double(parts[1]), share > 0, share < 1 else {
        throw ValidationError("--mentors top:SHARE needs 0 < SHARE < 1; got '\(parts[1])'.")
      }
      return .topShare(share)
    case "min":
      guard let mean = Double(parts[1]), mean.isFinite else {
        throw ValidationError("--mentors min:MEAN needs a number; got '\(parts[1])'.")
      }
      return .minimumMean(mean)
    case "list":
      return .listed(Set(parts[1].split(separator: ",").map(String.init)))
    default:
      throw ValidationError("--mentors takes top:SHARE, min:MEAN or list:IDS; got '\(mentors)'.")
    }
  }

  func validate() throws {
    guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1.") }
    guard minGap >= 0, minGap.isFinite else {
      throw ValidationError("--min-gap must be a non-negative number.")
    }
    _ = try selection()
  }

  struct Output: Encodable {
    let scores: String
    let wave: String?
    let areas: [String]
    let capacity: Int
    let minimumGap: Double
    let mentorSelection: String
    let pairs: [MentorMatching.Pair]
    let unmatched: [MentorMatching.Unmatched]
    let mentors: [String]
    let totalComplementarity: Double
  }

  func run() throws {
    do {
      let (header, rows) = try CSVRows.read(scores)
      guard let idColumn = header.firstIndex(of: id) else {
        throw IngestError.missingColumn(path: scores, column: id, layout: "wide scores")
      }
      let waveColumn = header.firstIndex(of: "wave")
      // Groups: a column of the scores, else the roster's hub per school.
      var groupOf: (([String]) -> String?)
      let groupName = groupColumn ?? (header.contains("hub") ? "hub" : nil)
      if let groupName {
        guard let g = header.firstIndex(of: groupName) else {
          throw IngestError.missingColumn(path: scores, column: groupName, layout: "wide scores")
        }
        groupOf = { $0[g] }
      } else if let roster {
        let hubs = Dictionary(
          try RosterReader().read(roster).roster.schools.map { ($0.id, $0.hub) },
          uniquingKeysWith: { first, _ in first })
        groupOf = { hubs[$0[idColumn]] }
      } else {
        throw ValidationError(
          "Give --group-column, or --roster for schools' hubs (the scores have no hub column).")
      }
      let excluded = Set([id, "wave", groupName ?? "", "hub", "school", "group", "teacher"])
      let areaNames =
        areas?.split(separator: ",").map(String.init)
        ?? header.filter { !excluded.contains($0) }
      let areaColumns = try areaNames.map { name -> Int in
        guard let c = header.firstIndex(of: name) else {
          throw IngestError.missingColumn(path: scores, column: name, layout: "wide scores")
        }
        return c
      }
      // The wave: as asked, or the latest (numerically when all are numbers).
      var chosenWave: String?
      if let w = waveColumn {
        let waves = Set(rows.map { $0[w] })
        if let wave {
          guard waves.contains(wave) else {
            throw ValidationError(
              "Wave '\(wave)' is not in \(scores); it has \(waves.sorted().joined(separator: ", "))."
            )
          }
          chosenWave = wave
        } else {
          chosenWave =
            waves.allSatisfy({ Double($0) != nil })
            ? waves.max { (Double($0) ?? 0) < (Double($1) ?? 0) } : waves.max()
        }
      }
      var units: [MentoringUnit] = []
      for (offset, row) in rows.enumerated() {
        if let w = waveColumn, row[w] != chosenWave { continue }
        guard let group = groupOf(row), !group.isEmpty else {
          throw IngestError.invalidCell(
            path: scores, line: offset + 2, column: idColumn + 1,
            reason: "unit '\(row[idColumn])' has no group (hub); check --group-column or --roster")
        }
        let values = try areaColumns.map { c -> Double? in
          let text = row[c].trimmingCharacters(in: .whitespaces)
          if text.isEmpty || text == "NA" { return nil }
          guard let v = Double(text), v.isFinite else {
            throw IngestError.invalidCell(
              path: scores, line: offset + 2, column: c + 1,
              reason: "score '\(text)' of area '\(header[c])' is not a number")
          }
          return v
        }
        units.append(MentoringUnit(id: row[idColumn], group: group, scores: values))
      }
      var weights: [String: [String: Double]] = [:]
      if let priorities {
        for (line, row) in try table(priorities, ["mentee", "area", "weight"]).enumerated() {
          guard let w = Double(row[2]) else {
            throw IngestError.invalidCell(
              path: priorities, line: line + 2, column: 3,
              reason: "weight '\(row[2])' is not a number")
          }
          weights[row[0], default: [:]][row[1]] = w
        }
      }
      let exclusions =
        try exclude.map { path in
          Set(
            try table(path, ["mentor", "mentee"]).map {
              MentorMatching.Pair.Key(mentor: $0[0], mentee: $0[1])
            })
        } ?? []
      let fixedPairs =
        try fixed.map { path in
          try table(path, ["mentor", "mentee"]).map {
            MentorMatching.Pair.Key(mentor: $0[0], mentee: $0[1])
          }
        } ?? []
      let matching = MentorMatching(
        areas: areaNames, capacity: capacity, minimumGap: minGap, selection: try selection(),
        priorities: weights, exclusions: exclusions, fixedPairs: fixedPairs)
      let result = try matching.match(units)
      try emit(result, wave: chosenWave, areas: areaNames)
    } catch let error as ValidationError {
      throw error
    } catch {
      throw fail(error)
    }
  }

  /// The named columns of a small CSV, in the given order.
  func table(_ path: String, _ columns: [String]) throws -> [[String]] {
    let (header, rows) = try CSVRows.read(path)
    let indices = try columns.map { name -> Int in
      guard let c = header.firstIndex(of: name) else {
        throw IngestError.missingColumn(
          path: path, column: columns.joined(separator: ", "), layout: "mentoring")
      }
      return c
    }
    return rows.map { row in indices.map { row[$0] } }
  }

  func emit(_ result: MentorMatching.Result, wave: String?, areas: [String]) throws {
    func num(_ x: Double) -> String { String(format: "%.3f", x) }
    switch format {
    case .json:
      let inputs = try [scores].map { try Provenance.InputFile(hashingFileAt: $0) }
      let body = Output(
        scores: scores, wave: wave, areas: areas, capacity: capacity, minimumGap: minGap,
        mentorSelection: mentors, pairs: result.pairs, unmatched: result.unmatched,
        mentors: result.mentors, totalComplementarity: result.totalComplementarity)
      print(
        try ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs), body: body
        ).jsonString())
    case .csv, .table:
      let sep = format == .csv ? "," : "\t"
      print(
        ["group", "mentor", "mentee", "complementarity", "fixed", "areas"].joined(separator: sep))
      for p in result.pairs {
        let why = p.areas.map { "\($0.area) +\(num($0.gap))" }.joined(separator: "; ")
        print(
          [
            csvField(p.group), csvField(p.mentor), csvField(p.mentee), num(p.complementarity),
            p.fixed ? "true" : "false", csvField(why),
          ].joined(separator: sep))
      }
      for u in result.unmatched {
        print(
          [
            csvField(u.group), "", csvField(u.mentee), "", "false",
            csvField("unmatched: " + u.reason),
          ]
          .joined(separator: sep))
      }
      if format == .table {
        print(
          "\(result.pairs.count) pairs, \(result.unmatched.count) unmatched; total complementarity "
            + num(result.totalComplementarity) + (wave.map { "; wave \($0)" } ?? ""))
      }
    }
  }
}
