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
      covariances pairwise (psych's default) unless --listwise is given; the output says which. \
      Omega total comes from one factor: minres loadings as psych::omega(nfactors = 1), and \
      maximum-likelihood loadings as R's factanal (omegaTotalML).
      """)

  @Option(help: "Instrument: a JSON file or a bundled id.")
  var instrument: String?

  @Option(
    help:
      "Without an instrument: keys CSV with columns item,scale,key (key -1 reverses); responses are then wide (one column per item) or long (respondent,item,value)."
  )
  var keys: String?

  @Option(help: "With --keys: lowest possible answer, for reversal (default: observed minimum).")
  var scaleMin: Double?

  @Option(help: "With --keys: highest possible answer, for reversal (default: observed maximum).")
  var scaleMax: Double?

  @Option(help: "Responses CSV (long or wide layout); '-' reads standard input.")
  var responses: String

  @Flag(help: "One analysis per area and respondent group.")
  var byGroup = false

  @Flag(help: "Use only respondents who answered every item of the area.")
  var listwise = false

  @Option(help: "table, json or csv (tidy: one row per area, group, item and statistic).")
  var format: AggregateOutputOptions.Format = .table

  @Option(help: "Areas analysed in parallel (default 1; the results do not depend on it).")
  var threads: Int = 1

  @Option(
    name: .customLong("blas-threads"),
    help: "Threads BLAS may use (default 1; raise only for single large dense operations).")
  var blasThreads: Int?

  @OptionGroup var progress: ProgressOptions

  struct Output: Encodable {
    let instrument: String
    let missingData: String
    let areas: [AreaReliability]
  }

  func validate() throws {
    guard (instrument == nil) != (keys == nil) else {
      throw ValidationError("Give exactly one of --instrument and --keys.")
    }
    if byGroup && keys != nil { throw ValidationError("--by-group needs --instrument.") }
    if threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    if let n = blasThreads, n < 1 {
      throw ValidationError("--blas-threads must be at least 1, got \(n).")
    }
  }

  func run() throws {
    BLASConfiguration.setThreadCount(blasThreads ?? 1)
    if let keys {
      do { try runWithKeys(keys) } catch { throw fail(error) }
      return
    }
    do {
      let definition = try Instrument.named(instrument ?? "")
      let result = try readResponses(responses, instrument: definition, progress: progress)
      if !result.report.isClean {
        FileHandleOutput.standardError(result.report.text)
        FileHandleOutput.standardError("lae: warning: rejected rows are left out of the analysis.")
      }
      let analysis = ReliabilityAnalysis(missingData: listwise ? .listwise : .pairwise)
      let areas = AreaReliability.compute(
        result.table, byGroup: byGroup, analysis: analysis, threads: threads)
      switch format {
      case .json:
        var inputs: [Provenance.InputFile] = []
        if responses != "-" { inputs.append(try Provenance.InputFile(hashingFileAt: responses)) }
        let document = ProvenancedDocument(
          provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs),
          body: Output(
            instrument: definition.id, missingData: analysis.missingData.rawValue, areas: areas))
        print(try document.jsonString())
      case .table:
        printTable(areas, analysis: analysis)
      case .csv:
        printCSV(areas, analysis: analysis)
      }
    } catch {
      throw fail(error)
    }
  }

  /// The no-instrument path: scales and reverse keys from a keys file, items as columns.
  func runWithKeys(_ keysPath: String) throws {
    let (header, rows) = try CSVRows.read(keysPath)
    guard let itemColumn = header.firstIndex(of: "item"),
      let scaleColumn = header.firstIndex(of: "scale"),
      let keyColumn = header.firstIndex(of: "key")
    else {
      throw IngestError.missingColumn(path: keysPath, column: "item, scale and key", layout: "keys")
    }
    var scales: [String] = []
    var members: [String: [(item: String, key: Int)]] = [:]
    for (line, row) in rows.enumerated() {
      guard row.count == header.count else {
        throw IngestError.invalidDefinition(
          path: keysPath,
          reason:
            "line \(line + 2): expected \(header.count) fields as in the header, found \(row.count)"
        )
      }
      guard let key = Int(row[keyColumn]), key == 1 || key == -1 else {
        throw IngestError.invalidDefinition(
          path: keysPath, reason: "line \(line + 2): key '\(row[keyColumn])' must be 1 or -1")
      }
      if members[row[scaleColumn]] == nil { scales.append(row[scaleColumn]) }
      members[row[scaleColumn], default: []].append((row[itemColumn], key))
    }
    let allItems = scales.flatMap { members[$0]?.map(\.item) ?? [] }
    // Long layout (respondent,item,value) when the header has those columns and no item
    // column; wide otherwise.
    let responseHeader = try headerFields(responses)
    let long =
      ["respondent", "item", "value"].allSatisfy(responseHeader.contains)
      && !allItems.contains(where: responseHeader.contains)
    let table: ItemResponses
    if long {
      table = try ItemResponses.readLong(responses, items: allItems)
    } else {
      let wide = try NumericTableReader().read(responses, columns: allItems)
      table = ItemResponses(
        items: allItems,
        values: Matrix(rows: wide.rows, columns: allItems.count, columnMajor: wide.values))
    }
    let analysis = ReliabilityAnalysis(missingData: listwise ? .listwise : .pairwise)
    let areas = AreaReliability.compute(
      table,
      scales: scales.map { scale in
        let list = members[scale] ?? []
        return ItemScale(name: scale, items: list.map(\.item), keys: list.map(\.key))
      }, analysis: analysis, minimum: scaleMin, maximum: scaleMax, threads: threads)
    switch format {
    case .json:
      let inputs = try [keysPath, responses].filter { $0 != "-" }.map {
        try Provenance.InputFile(hashingFileAt: $0)
      }
      let document = ProvenancedDocument(
        provenance: Provenance(commandLine: CommandLine.arguments, inputs: inputs),
        body: Output(
          instrument: "keys:" + keysPath, missingData: analysis.missingData.rawValue, areas: areas))
      print(try document.jsonString())
    case .table:
      printTable(areas, analysis: analysis)
    case .csv:
      printCSV(areas, analysis: analysis)
    }
  }

  /// Tidy CSV: one row per area, group, item ("" for the scale) and statistic, named as in
  /// the JSON; a statistic that does not exist is left out, a failed area gives one `problem`
  /// row.
  func printCSV(_ areas: [AreaReliability], analysis: ReliabilityAnalysis) {
    print("area,group,missing_data,item,statistic,value")
    for a in areas {
      let prefix = [csvField(a.area), csvField(a.group ?? ""), analysis.missingData.rawValue]
      func row(_ item: String, _ statistic: String, _ value: Double?) {
        guard let value else { return }
        print((prefix + [csvField(item), statistic, "\(value)"]).joined(separator: ","))
      }
      func count(_ item: String, _ statistic: String, _ value: Int) {
        print((prefix + [csvField(item), statistic, "\(value)"]).joined(separator: ","))
      }
      guard let r = a.reliability else {
        print((prefix + ["", "problem", csvField(a.problem ?? "")]).joined(separator: ","))
        continue
      }
      count("", "respondentCount", r.respondentCount)
      row("", "rawAlpha", r.rawAlpha)
      row("", "standardizedAlpha", r.standardizedAlpha)
      row("", "g6", r.g6)
      row("", "averageR", r.averageR)
      row("", "signalToNoise", r.signalToNoise)
      row("", "alphaStandardError", r.alphaStandardError)
      row("", "medianR", r.medianR)
      row("", "varianceR", r.varianceR)
      row("", "meanScore", r.meanScore)
      row("", "sdScore", r.sdScore)
      row("", "duhachekLower", r.duhachekInterval[0])
      row("", "duhachekUpper", r.duhachekInterval[1])
      row("", "feldtLower", r.feldtInterval[0])
      row("", "feldtUpper", r.feldtInterval[1])
      row("", "omegaTotal", r.omegaTotal)
      row("", "omegaTotalML", r.omegaTotalML)
      for s in r.itemStatistics {
        count(s.item, "n", s.n)
        row(s.item, "rawR", s.rawR)
        row(s.item, "stdR", s.stdR)
        row(s.item, "rCor", s.rCor)
        row(s.item, "rDrop", s.rDrop)
        row(s.item, "mean", s.mean)
        row(s.item, "sd", s.sd)
        row(s.item, "loading", s.loading)
        row(s.item, "loadingML", s.loadingML)
        let d = s.alphaIfDropped
        row(s.item, "alphaIfDropped.rawAlpha", d.rawAlpha)
        row(s.item, "alphaIfDropped.standardizedAlpha", d.standardizedAlpha)
        row(s.item, "alphaIfDropped.g6", d.g6)
        row(s.item, "alphaIfDropped.averageR", d.averageR)
      }
    }
  }

  func printTable(_ areas: [AreaReliability], analysis: ReliabilityAnalysis) {
    print("missing data: \(analysis.missingData.rawValue)")
    print(
      pad("area", 8) + pad("group", 10) + pad("items", 6) + pad("n", 8) + pad("raw_alpha", 11)
        + pad("std.alpha", 11) + pad("G6(smc)", 9) + pad("average_r", 11) + pad("ase", 8)
        + pad("median_r", 10) + pad("omega_t", 9) + "omega_t(ML)")
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
          + pad(f(r.medianR), 10) + pad(r.omegaTotal.map(f) ?? "NA", 9)
          + (r.omegaTotalML.map(f) ?? "NA"))
    }
    let notes = areas.compactMap { a in a.reliability?.omegaNote.map { "\(a.area): \($0)" } }
    if !notes.isEmpty { print("omega notes:\n  " + notes.joined(separator: "\n  ")) }
  }

  func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }
  func f(_ x: Double) -> String { String(format: "%.3f", x) }

  /// The header fields of a CSV file (first line, quotes removed), for layout detection.
  func headerFields(_ path: String) throws -> [String] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw IngestError.unreadableFile(path: path, reason: "cannot open the file")
    }
    defer { try? handle.close() }
    let data = handle.readData(ofLength: 1 << 16)
    let line = String(decoding: data.prefix { $0 != 10 && $0 != 13 }, as: UTF8.self)
    return line.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" \u{FEFF}"))
    }
  }
}
