import Glibc

/// The per-row work of ``SurveyReader``: look up, check, and append.
struct SurveyIngest {
  let instrument: Instrument
  let roster: Roster?
  let header: SurveyHeader.Resolved
  let file: String
  let maxErrors: Int
  var report: ValidationReport
  var table: SurveyTable

  private var schools = CachedInterner()
  private var respondents = CachedInterner(capacity: 1 << 14)
  private var waves = CachedInterner(capacity: 16)
  private var hubs = CachedInterner(capacity: 16)
  private var teachers = CachedInterner(capacity: 1 << 12)
  private var attributeValues = Interner()
  private var itemCodes = Interner()
  private var groupCodes = CachedInterner(capacity: 16)
  private var rosterSchools = CachedInterner()
  private var lastStamp: [UInt8] = []
  private var lastStampValue: Int64 = 0
  private var attributeColumns: [[Int32]] = []
  private var rosterHubCode: [Int32] = []
  private let scaleOf: [Int]
  private let lookups: [ScaleLookup]
  private let allowedGroups: [UInt64]
  // Duplicate detection: a bitset of answered items per (school, wave, respondent).
  private struct RespondentKey: Hashable { let school: Int32, wave: Int32, respondent: Int32 }
  private var respondentIndex: [RespondentKey: Int] = [:]
  private var answered: [UInt64] = []
  private let words: Int
  private let hasHub: Bool
  private var lastKey = RespondentKey(school: -1, wave: -1, respondent: -1)
  private var lastIndex = -1
  // Scratch for one row (wide layout: several answers).
  private var pendingItems: [UInt16]
  private var pendingValues: [Int16]
  private var pendingCount = 0
  private let batch: RowBatch
  private let hasAttributes: Bool

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
    hasHub = roster != nil || header.hub >= 0
    hasAttributes = !header.attributes.isEmpty
    batch = RowBatch(
      hasHub: hasHub, hasTeacher: header.teacher >= 0, hasTimestamp: header.submittedAt >= 0)
    pendingItems = [UInt16](repeating: 0, count: max(1, instrument.items.count))
    pendingValues = [Int16](repeating: 0, count: max(1, instrument.items.count))
    table.attributeNames = header.attributes.map(\.name)
    attributeColumns = header.attributes.map { _ in [] }
  }

  private mutating func reject(
    _ kind: IngestIssue.Kind, at location: (line: Int, column: Int),
    value: UnsafeBufferPointer<UInt8>?, _ message: String
  ) {
    let (line, column) = location
    var shown: String?
    if let value {
      let cut = UnsafeBufferPointer(rebasing: value.prefix(80))
      shown = String(decoding: cut, as: UTF8.self)
    }
    report.reject(
      IngestIssue(
        file: file, line: line, column: column, kind: kind, value: shown, message: message),
      maxErrors: maxErrors)
  }

  /// Checks and stores one CSV record.
  mutating func ingest(_ r: CSVRecord) {
    guard r.count == header.count else {
      let at = r.location(r.count > header.count ? header.count : r.count - 1)
      reject(
        .wrongFieldCount, at: at, value: nil,
        "expected \(header.count) fields as in the header, found \(r.count)"
          + (r.count < header.count ? " (is the line truncated?)." : "."))
      return
    }
    if !r.isASCII() {
      for i in 0..<r.count where r.withField(i, { String(validating: $0, as: UTF8.self) == nil }) {
        reject(
          .invalidUTF8, at: r.location(i), value: nil,
          "the field is not valid UTF-8; save the file as UTF-8.")
        return
      }
    }
    // Identity columns.
    if r.raw(header.school).isEmpty || r.raw(header.respondent).isEmpty
      || r.raw(header.group).isEmpty
      || r.raw(header.wave).isEmpty
    {
      for (column, name) in [
        (header.school, "school"), (header.respondent, "respondent"),
        (header.group, "group"), (header.wave, "wave"),
      ] where r.raw(column).isEmpty {
        reject(
          .emptyField, at: r.location(column), value: nil,
          "the '\(name)' field is empty; every row needs one.")
        return
      }
    }
    guard let groupCode = r.withField(header.group, { groupCodes.lookup($0) }) else {
      let known = instrument.groups.map(\.id).joined(separator: ", ")
      r.withField(header.group) {
        reject(
          .unknownGroup, at: r.location(header.group), value: $0,
          "unknown respondent group '\(String(decoding: $0.prefix(80), as: UTF8.self))'; expected one of: \(known)."
        )
      }
      return
    }
    var hubCode: Int32 = -1
    if let roster {
      guard let rs = r.withField(header.school, { rosterSchools.lookup($0) }) else {
        r.withField(header.school) {
          reject(
            .unknownSchool, at: r.location(header.school), value: $0,
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
            reject(
              .hubMismatch, at: r.location(header.hub), value: $0,
              "hub '\(String(decoding: $0.prefix(80), as: UTF8.self))' disagrees with the roster, which puts the school in hub '\(expected)'."
            )
          }
          return
        }
      }
    } else if header.hub >= 0 && !r.raw(header.hub).isEmpty {
      hubCode = r.withField(header.hub) { hubs.code(for: $0) } ?? -1
    }
    var timestamp = SurveyTable.Value.noTimestamp
    if header.submittedAt >= 0 && !r.raw(header.submittedAt).isEmpty {
      guard let t = r.withField(header.submittedAt, { cachedTimestamp($0) }) else {
        r.withField(header.submittedAt) {
          reject(
            .invalidTimestamp, at: r.location(header.submittedAt),
            value: $0,
            "'\(String(decoding: $0.prefix(80), as: UTF8.self))' is not an ISO 8601 timestamp with a zone; expected e.g. 2024-03-01T09:30:00Z."
          )
        }
        return
      }
      timestamp = t
    }
    // Answers: one (long) or one per non-empty item cell (wide).
    pendingCount = 0
    if header.layout == .long {
      if r.raw(header.item).isEmpty {
        reject(
          .emptyField, at: r.location(header.item), value: nil,
          "the 'item' field is empty; every row needs one.")
        return
      }
      guard let itemCode = r.withField(header.item, { itemCodes.lookup($0) }) else {
        r.withField(header.item) {
          reject(
            .unknownItem, at: r.location(header.item), value: $0,
            "unknown item code '\(String(decoding: $0.prefix(80), as: UTF8.self))'; it is not in instrument '\(instrument.id)'."
          )
        }
        return
      }
      guard checkAnswer(r, item: Int(itemCode), group: Int(groupCode), column: header.value)
      else { return }
    } else {
      for (column, itemIndex) in header.itemColumns where !r.raw(column).isEmpty {
        guard checkAnswer(r, item: itemIndex, group: Int(groupCode), column: column)
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
    for k in 0..<pendingCount {
      let it = pendingItems[k]
      let word = index * words + Int(it) / 64
      let bit = UInt64(1) << UInt64(Int(it) % 64)
      if answered[word] & bit != 0 {
        let column =
          header.layout == .long
          ? header.item : header.itemColumns.first { $0.item == Int(it) }?.column ?? 0
        let code = instrument.items[Int(it)].code
        reject(
          .duplicateAnswer, at: r.location(column), value: nil,
          "respondent '\(table.respondentName(respondents, respondent))' of school '\(schools.strings[Int(school)])' already answered item '\(code)' in wave '\(waves.strings[Int(wave)])'."
        )
        // Undo the bits set for this row's earlier answers.
        for undo in pendingItems[0..<k] {
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
    if hasAttributes {
      for (k, a) in header.attributes.enumerated() {
        let code =
          r.raw(a.column).isEmpty
          ? -1 : r.withField(a.column) { attributeValues.code(for: $0) } ?? -1
        for _ in 0..<pendingCount { attributeColumns[k].append(code) }
      }
    }
    for k in 0..<pendingCount {
      if batch.isFull { batch.flush(into: &table) }
      batch.add(
        school: school, respondent: respondent, group: UInt8(groupCode), wave: wave,
        item: pendingItems[k], value: pendingValues[k], hub: hubCode, teacher: teacherCode,
        submittedAt: timestamp)
    }
    report.rowsAccepted += 1
    report.answersAccepted += pendingCount
  }

  /// Parses a timestamp, reusing the previous row's result when the bytes repeat.
  private mutating func cachedTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    if !lastStamp.isEmpty && lastStamp.withUnsafeBufferPointer({ bytesEqual($0, bytes) }) {
      return lastStampValue
    }
    guard let t = Timestamp.parse(bytes) else { return nil }
    lastStamp.removeAll(keepingCapacity: true)
    lastStamp.append(contentsOf: bytes)
    lastStampValue = t
    return t
  }

  /// Checks one answer (item meant for the group, value on its scale) and queues it.
  private mutating func checkAnswer(_ r: CSVRecord, item: Int, group: Int, column: Int) -> Bool {
    if group >= 64 || allowedGroups[item] & (1 << UInt64(group)) == 0 {
      let it = instrument.items[item]
      reject(
        .itemNotForGroup, at: r.location(column), value: nil,
        "item '\(it.code)' is not meant for group '\(instrument.groups[group].id)'; it is answered by: \(it.groups.joined(separator: ", "))."
      )
      return false
    }
    let scaleIndex = scaleOf[item]
    guard let v = r.withField(column, { lookups[scaleIndex].code($0) }) else {
      let scale = instrument.scales[scaleOf[item]]
      let allowed = (scale.options.map(\.value) + scale.missingCodes.map(\.value)).joined(
        separator: ", ")
      r.withField(column) {
        reject(
          .valueOutsideScale, at: r.location(column), value: $0,
          "value '\(String(decoding: $0.prefix(80), as: UTF8.self))' is not on scale '\(scale.id)' of item '\(instrument.items[item].code)'; expected one of: \(allowed), or empty."
        )
      }
      return false
    }
    pendingItems[pendingCount] = UInt16(item)
    pendingValues[pendingCount] = v
    pendingCount += 1
    return true
  }

  /// The finished table with its dictionaries.
  mutating func finish() -> SurveyTable {
    batch.flush(into: &table)
    table.schools = schools.strings
    table.respondents = respondents.strings
    table.waves = waves.strings
    table.hubs = hubs.strings
    table.teachers = teachers.strings
    table.attributeValues = attributeValues.strings
    for (a, column) in zip(header.attributes, attributeColumns) {
      table.attributes[a.name] = column
    }
    return table
  }
}

extension SurveyTable {
  fileprivate func respondentName(_ interner: CachedInterner, _ code: Int32) -> String {
    interner.strings[Int(code)]
  }
}
