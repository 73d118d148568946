/// The per-row work of ``SurveyReader``: look up, check, and append.
struct SurveyIngest {
  let instrument: Instrument
  let roster: Roster?
  let header: SurveyHeader.Resolved
  let file: String
  let maxErrors: Int
  var report: ValidationReport
  var table: SurveyTable

  private var schools = Interner()
  private var respondents = Interner(capacity: 1 << 14)
  private var waves = Interner(capacity: 16)
  private var hubs = Interner(capacity: 16)
  private var teachers = Interner(capacity: 1 << 12)
  private var attributeValues = Interner()
  private var itemCodes = Interner()
  private var groupCodes = Interner(capacity: 16)
  private var rosterSchools = Interner()
  private var rosterHubCode: [Int32] = []
  private let scaleOf: [Int]
  private let lookups: [ScaleLookup]
  private let allowedGroups: [UInt64]
  // Duplicate detection: a bitset of answered items per (school, wave, respondent).
  private struct RespondentKey: Hashable { let school: Int32, wave: Int32, respondent: Int32 }
  private var respondentIndex: [RespondentKey: Int] = [:]
  private var answered: [UInt64] = []
  private let words: Int
  private var hasHub: Bool { roster != nil || header.hub >= 0 }
  private var lastKey = RespondentKey(school: -1, wave: -1, respondent: -1)
  private var lastIndex = -1
  // Scratch for one row (wide layout: several answers).
  private var pendingItems: [UInt16] = []
  private var pendingValues: [Int16] = []

  init(
    instrument: Instrument, roster: Roster?, header: SurveyHeader.Resolved, file: String,
    decimalComma: Bool, maxErrors: Int
  ) {
    self.instrument = instrument
    self.roster = roster
    self.header = header
    self.file = file
    self.maxErrors = maxErrors
    report = ValidationReport(file: file, layout: header.layout.rawValue)
    table = SurveyTable(instrument: instrument)
    for item in instrument.items { _ = itemCodes.code(for: item.code) }
    for g in instrument.groups { _ = groupCodes.code(for: g.id) }
    let scaleIDs = instrument.scales.map(\.id)
    scaleOf = instrument.items.map { item in scaleIDs.firstIndex(of: item.scale) ?? 0 }
    lookups = instrument.scales.map { ScaleLookup(scale: $0, decimalComma: decimalComma) }
    allowedGroups = instrument.items.map { item in
      var mask: UInt64 = 0
      for (gi, g) in instrument.groups.enumerated() where gi < 64 && item.groups.contains(g.id) {
        mask |= 1 << UInt64(gi)
      }
      return mask
    }
    words = (instrument.items.count + 63) / 64
    if let roster {
      for s in roster.schools {
        _ = rosterSchools.code(for: s.id)
        rosterHubCode.append(hubs.code(for: s.hub))
      }
    }
    table.attributeNames = header.attributes.map(\.name)
    for a in header.attributes { table.attributes[a.name] = [] }
  }

  private mutating func reject(
    _ kind: IngestIssue.Kind, line: Int, column: Int, value: UnsafeBufferPointer<UInt8>?,
    _ message: String
  ) {
    var shown: String?
    if let value {
      let cut = UnsafeBufferPointer(rebasing: value.prefix(80))
      shown = String(decoding: cut, as: UTF8.self)
    }
    report.reject(
      IngestIssue(file: file, line: line, column: column, kind: kind, value: shown, message: message),
      maxErrors: maxErrors)
  }

  /// Checks and stores one CSV record.
  mutating func ingest(_ r: CSVRecord, line: Int, columns: [Int], lines: [Int]) {
    guard r.count == header.count else {
      let col = r.count > header.count ? columns[header.count] : (columns.last ?? 1)
      reject(.wrongFieldCount, line: lines.last ?? line, column: col, value: nil,
             "expected \(header.count) fields as in the header, found \(r.count)"
               + (r.count < header.count ? " (is the line truncated?)." : "."))
      return
    }
    if !r.isASCII() {
      for i in 0..<r.count where r.withField(i, { String(validating: $0, as: UTF8.self) == nil }) {
        reject(.invalidUTF8, line: lines[i], column: columns[i], value: nil,
               "the field is not valid UTF-8; save the file as UTF-8.")
        return
      }
    }
    // Identity columns.
    func required(_ column: Int, _ name: String) -> Bool {
      if r.raw(column).isEmpty {
        reject(.emptyField, line: lines[column], column: columns[column], value: nil,
               "the '\(name)' field is empty; every row needs one.")
        return false
      }
      return true
    }
    guard required(header.school, "school"), required(header.respondent, "respondent"),
      required(header.group, "group"), required(header.wave, "wave")
    else { return }
    guard let groupCode = r.withField(header.group, { groupCodes.lookup($0) }) else {
      let known = instrument.groups.map(\.id).joined(separator: ", ")
      r.withField(header.group) {
        reject(.unknownGroup, line: lines[header.group], column: columns[header.group], value: $0,
               "unknown respondent group '\(String(decoding: $0.prefix(80), as: UTF8.self))'; expected one of: \(known).")
      }
      return
    }
    var hubCode: Int32 = -1
    if let roster {
      guard let rs = r.withField(header.school, { rosterSchools.lookup($0) }) else {
        r.withField(header.school) {
          reject(.unknownSchool, line: lines[header.school], column: columns[header.school], value: $0,
                 "school '\(String(decoding: $0.prefix(80), as: UTF8.self))' is not in the roster.")
        }
        return
      }
      hubCode = rosterHubCode[Int(rs)]
      if header.hub >= 0 && !r.raw(header.hub).isEmpty {
        let given = r.withField(header.hub) { hubs.lookup($0) }
        if given != hubCode {
          let expected = roster.schools[Int(rs)].hub
          r.withField(header.hub) {
            reject(.hubMismatch, line: lines[header.hub], column: columns[header.hub], value: $0,
                   "hub '\(String(decoding: $0.prefix(80), as: UTF8.self))' disagrees with the roster, which puts the school in hub '\(expected)'.")
          }
          return
        }
      }
    } else if header.hub >= 0 && !r.raw(header.hub).isEmpty {
      hubCode = r.withField(header.hub) { hubs.code(for: $0) } ?? -1
    }
    var timestamp = SurveyTable.Value.noTimestamp
    if header.submittedAt >= 0 && !r.raw(header.submittedAt).isEmpty {
      guard let t = r.withField(header.submittedAt, { Timestamp.parse($0) }) else {
        r.withField(header.submittedAt) {
          reject(.invalidTimestamp, line: lines[header.submittedAt], column: columns[header.submittedAt],
                 value: $0, "'\(String(decoding: $0.prefix(80), as: UTF8.self))' is not an ISO 8601 timestamp with a zone; expected e.g. 2024-03-01T09:30:00Z.")
        }
        return
      }
      timestamp = t
    }
    // Answers: one (long) or one per non-empty item cell (wide).
    pendingItems.removeAll(keepingCapacity: true)
    pendingValues.removeAll(keepingCapacity: true)
    if header.layout == .long {
      guard required(header.item, "item") else { return }
      guard let itemCode = r.withField(header.item, { itemCodes.lookup($0) }) else {
        r.withField(header.item) {
          reject(.unknownItem, line: lines[header.item], column: columns[header.item], value: $0,
                 "unknown item code '\(String(decoding: $0.prefix(80), as: UTF8.self))'; it is not in instrument '\(instrument.id)'.")
        }
        return
      }
      guard checkAnswer(r, item: Int(itemCode), group: Int(groupCode), column: header.value,
                        columns: columns, lines: lines)
      else { return }
    } else {
      for (column, itemIndex) in header.itemColumns where !r.raw(column).isEmpty {
        guard checkAnswer(r, item: itemIndex, group: Int(groupCode), column: column,
                          columns: columns, lines: lines)
        else { return }
      }
    }
    // Codes for the identity columns (inserting new ids).
    guard let school = r.withField(header.school, { schools.code(for: $0) }),
      let respondent = r.withField(header.respondent, { respondents.code(for: $0) }),
      let wave = r.withField(header.wave, { waves.code(for: $0) })
    else { return }  // invalid UTF-8 was rejected above
    // Duplicate answers.
    let key = RespondentKey(school: school, wave: wave, respondent: respondent)
    let index: Int
    if key == lastKey {
      index = lastIndex
    } else if let found = respondentIndex[key] {
      index = found
    } else {
      index = respondentIndex.count
      respondentIndex[key] = index
      answered.append(contentsOf: repeatElement(0, count: words))
    }
    lastKey = key
    lastIndex = index
    for (k, it) in pendingItems.enumerated() {
      let word = index * words + Int(it) / 64
      let bit = UInt64(1) << UInt64(Int(it) % 64)
      if answered[word] & bit != 0 {
        let column = header.layout == .long ? header.item : header.itemColumns.first { $0.item == Int(it) }?.column ?? 0
        let code = instrument.items[Int(it)].code
        reject(.duplicateAnswer, line: lines[column], column: columns[column], value: nil,
               "respondent '\(table.respondentName(respondents, respondent))' of school '\(schools.strings[Int(school)])' already answered item '\(code)' in wave '\(waves.strings[Int(wave)])'.")
        // Undo the bits set for this row's earlier answers.
        for undo in pendingItems[..<k] {
          answered[index * words + Int(undo) / 64] &= ~(UInt64(1) << UInt64(Int(undo) % 64))
        }
        return
      }
      answered[word] |= bit
    }
    // Append.
    var teacherCode: Int32 = -1
    if header.teacher >= 0 && !r.raw(header.teacher).isEmpty {
      teacherCode = r.withField(header.teacher) { teachers.code(for: $0) } ?? -1
    }
    var attributeCodes: [Int32] = []
    for a in header.attributes {
      attributeCodes.append(r.raw(a.column).isEmpty ? -1 : r.withField(a.column) { attributeValues.code(for: $0) } ?? -1)
    }
    for (it, v) in zip(pendingItems, pendingValues) {
      table.school.append(school)
      table.respondent.append(respondent)
      table.group.append(UInt8(groupCode))
      table.wave.append(wave)
      table.item.append(it)
      table.value.append(v)
      if hasHub { table.hub.append(hubCode) }
      if header.teacher >= 0 { table.teacher.append(teacherCode) }
      if header.submittedAt >= 0 { table.submittedAt.append(timestamp) }
      for (a, code) in zip(header.attributes, attributeCodes) { table.attributes[a.name, default: []].append(code) }
    }
    report.rowsAccepted += 1
    report.answersAccepted += pendingItems.count
  }

  /// Checks one answer (item meant for the group, value on its scale) and queues it.
  private mutating func checkAnswer(
    _ r: CSVRecord, item: Int, group: Int, column: Int, columns: [Int], lines: [Int]
  ) -> Bool {
    if group >= 64 || allowedGroups[item] & (1 << UInt64(group)) == 0 {
      let it = instrument.items[item]
      reject(.itemNotForGroup, line: lines[column], column: columns[column], value: nil,
             "item '\(it.code)' is not meant for group '\(instrument.groups[group].id)'; it is answered by: \(it.groups.joined(separator: ", ")).")
      return false
    }
    let lookup = lookups[scaleOf[item]]
    guard let v = r.withField(column, { lookup.code($0) }) else {
      let scale = instrument.scales[scaleOf[item]]
      let allowed = (scale.options.map(\.value) + scale.missingCodes.map(\.value)).joined(separator: ", ")
      r.withField(column) {
        reject(.valueOutsideScale, line: lines[column], column: columns[column], value: $0,
               "value '\(String(decoding: $0.prefix(80), as: UTF8.self))' is not on scale '\(scale.id)' of item '\(instrument.items[item].code)'; expected one of: \(allowed), or empty.")
      }
      return false
    }
    pendingItems.append(UInt16(item))
    pendingValues.append(v)
    return true
  }

  /// The finished table with its dictionaries.
  mutating func finish() -> SurveyTable {
    table.schools = schools.strings
    table.respondents = respondents.strings
    table.waves = waves.strings
    table.hubs = hubs.strings
    table.teachers = teachers.strings
    table.attributeValues = attributeValues.strings
    return table
  }
}

extension SurveyTable {
  fileprivate func respondentName(_ interner: Interner, _ code: Int32) -> String {
    interner.strings[Int(code)]
  }
}
