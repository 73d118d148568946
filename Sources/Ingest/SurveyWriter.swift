import Glibc

/// Writes a ``SurveyTable`` as CSV in the long or wide layout, RFC 4180 quoted, so that
/// reading it back gives the same table.
///
/// Wide layout: one row per (school, wave, respondent), item columns in instrument order; an
/// answer written as an empty cell is read back as no answer, so skipped answers
/// (``SurveyTable/Value/skipped``) are not written in the wide layout. Per-respondent columns
/// (group, hub, teacher, submission time, attributes) come from the respondent's first row.
public struct SurveyWriter: Sendable {
  /// The layout to write.
  public var layout: SurveyReader.Layout
  /// The field delimiter (default `,`).
  public var delimiter: Character

  /// Creates a writer for `layout` (`.automatic` writes long).
  public init(layout: SurveyReader.Layout = .long, delimiter: Character = ",") {
    self.layout = layout
    self.delimiter = delimiter
  }

  /// The CSV bytes of `table`.
  public func csv(_ table: SurveyTable) -> [UInt8] {
    var out = CSVOutput(delimiter: delimiter.asciiValue ?? UInt8(ascii: ","))
    if layout == .wide { writeWide(table, &out) } else { writeLong(table, &out) }
    return out.bytes
  }

  /// Writes `table` to `path`.
  public func write(_ table: SurveyTable, to path: String) throws(IngestError) {
    try FileOutput.write(csv(table), to: path)
  }

  private func idColumns(_ t: SurveyTable) -> [String] {
    var names = ["school", "respondent", "group", "wave"]
    if !t.hub.isEmpty { names.append("hub") }
    if !t.teacher.isEmpty { names.append("teacher") }
    if !t.submittedAt.isEmpty { names.append("submitted_at") }
    return names
  }

  private func idFields(_ t: SurveyTable, _ r: Int, _ out: inout CSVOutput) {
    out.field(t.schools[Int(t.school[r])])
    out.field(t.respondents[Int(t.respondent[r])])
    out.field(t.instrument.groups[Int(t.group[r])].id)
    out.field(t.waves[Int(t.wave[r])])
    if !t.hub.isEmpty { out.field(t.hub[r] >= 0 ? t.hubs[Int(t.hub[r])] : "") }
    if !t.teacher.isEmpty { out.field(t.teacher[r] >= 0 ? t.teachers[Int(t.teacher[r])] : "") }
    if !t.submittedAt.isEmpty {
      let ms = t.submittedAt[r]
      out.field(
        ms == SurveyTable.Value.noTimestamp ? "" : Timestamp.format(millisecondsSinceEpoch: ms))
    }
  }

  private func attributeFields(_ t: SurveyTable, _ r: Int, _ out: inout CSVOutput) {
    for name in t.attributeNames {
      let code = t.attributes[name]?[r] ?? -1
      out.field(code >= 0 ? t.attributeValues[Int(code)] : "")
    }
  }

  private func writeLong(_ t: SurveyTable, _ out: inout CSVOutput) {
    out.record(idColumns(t) + ["item", "value"] + t.attributeNames)
    for r in 0..<t.count {
      idFields(t, r, &out)
      out.field(t.instrument.items[Int(t.item[r])].code)
      out.field(t.valueText(at: r))
      attributeFields(t, r, &out)
      out.endRecord()
    }
  }

  private func writeWide(_ t: SurveyTable, _ out: inout CSVOutput) {
    struct Key: Hashable { let school: Int32, wave: Int32, respondent: Int32 }
    var order: [Key] = []
    var firstRow: [Key: Int] = [:]
    var cells: [Key: [Int: Int]] = [:]  // item -> row
    for r in 0..<t.count where t.value[r] != SurveyTable.Value.skipped {
      let k = Key(school: t.school[r], wave: t.wave[r], respondent: t.respondent[r])
      if firstRow[k] == nil {
        firstRow[k] = r
        order.append(k)
      }
      cells[k, default: [:]][Int(t.item[r])] = r
    }
    out.record(idColumns(t) + t.attributeNames + t.instrument.items.map(\.code))
    for k in order {
      guard let r0 = firstRow[k] else { continue }
      idFields(t, r0, &out)
      attributeFields(t, r0, &out)
      let answers = cells[k] ?? [:]
      for i in 0..<t.instrument.items.count {
        if let r = answers[i] { out.field(t.valueText(at: r)) } else { out.field("") }
      }
      out.endRecord()
    }
  }
}

/// Builds CSV bytes, quoting fields that need it.
struct CSVOutput {
  let delimiter: UInt8
  var bytes: [UInt8] = []
  private var first = true

  init(delimiter: UInt8) { self.delimiter = delimiter }

  mutating func field(_ s: String) {
    if !first { bytes.append(delimiter) }
    first = false
    let utf8 = s.utf8
    let needsQuotes = utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
    if needsQuotes {
      bytes.append(34)
      for b in utf8 {
        bytes.append(b)
        if b == 34 { bytes.append(34) }
      }
      bytes.append(34)
    } else {
      bytes.append(contentsOf: utf8)
    }
  }

  mutating func endRecord() {
    bytes.append(10)
    first = true
  }

  mutating func record(_ fields: [String]) {
    for f in fields { field(f) }
    endRecord()
  }
}

/// Writes bytes to a file.
enum FileOutput {
  static func write(_ bytes: [UInt8], to path: String) throws(IngestError) {
    let ok = bytes.withUnsafeBytes { raw -> Bool in
      guard let f = fopen(path, "wb") else { return false }
      defer { fclose(f) }
      return raw.isEmpty || fwrite(raw.baseAddress, 1, raw.count, f) == raw.count
    }
    if !ok { throw IngestError.unreadableFile(path: path, reason: "cannot write the file") }
  }
}
