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
  private let itemTable: ShortKeyTable
  // The previous accepted row's identity columns (school, respondent, group, wave, hub,
  // teacher, submitted_at) as bytes, with their codes: the rows of one response usually follow
  // each other, so most rows repeat them and skip their lookups and checks, which depend on
  // these bytes only. The leading fields that are all identity columns are kept as one span of
  // the record (delimiters and quotes included); other identity columns one by one.
  private struct Context {
    var group: Int
    var hub: Int32
    var timestamp: Int64
    var school: Int32
    var respondent: Int32
    var wave: Int32
    var teacher: Int32
    var index: Int
  }
  private var context: Context?
  private var contextBytes: [UInt8] = []
  private var contextLengths: [Int] = []
  /// How many leading columns are identity columns.
  let identityPrefix: Int
  private let identityOthers: [Int]
  /// Whether the record before was accepted (so ``context`` holds its identity bytes).
  private var contextIsPrevious = false
  // The scales' short codes flattened for the long-layout fast path: item `i` has the keys
  // `valueKeys[keyStart[i]..<keyStart[i + 1]]` with the codes `valueCodes[...]`.
  private let valueKeys: [UInt64]
  private let valueCodes: [Int16]
  private let keyStart: [Int]
  private let fastLong: Bool

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
    itemTable = ShortKeyTable(itemCodes.strings)
    let identity = Set(
      [
        header.school, header.respondent, header.group, header.wave, header.hub, header.teacher,
        header.submittedAt,
      ].filter { $0 >= 0 })
    var prefix = 0
    while identity.contains(prefix) { prefix += 1 }
    identityPrefix = prefix
    identityOthers = identity.filter { $0 >= prefix }.sorted()
    var keys: [UInt64] = []
    var codes: [Int16] = []
    var starts = [0]
    for scale in scaleOf {
      keys.append(contentsOf: lookups[scale].keys)
      codes.append(contentsOf: lookups[scale].codes)
      starts.append(keys.count)
    }
    valueKeys = keys
    valueCodes = codes
    keyStart = starts
    fastLong = header.layout == .long && header.attributes.isEmpty
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
    let previous = contextIsPrevious
    contextIsPrevious = false
    guard r.count == header.count else {
      let at = r.location(r.count > header.count ? header.count : r.count - 1)
      reject(
        .wrongFieldCount, at: at, value: nil,
        "expected \(header.count) fields as in the header, found \(r.count)"
          + (r.count < header.count ? " (is the line truncated?)." : "."))
      return
    }
    if fastLong, let known = context, sameContext(r, previous: previous),
      acceptLong(r, known)
    {
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
    if let known = context, sameContext(r, previous: previous) {
      answer(
        r, group: known.group, hub: known.hub, timestamp: known.timestamp, known: known)
      return
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
    answer(r, group: Int(groupCode), hub: hubCode, timestamp: timestamp, known: nil)
  }

  /// The long-layout fast path for a row whose identity columns repeat ``context``: when the
  /// row is clean (ASCII, a known short item code meant for the group, a short code on the
  /// item's scale, no duplicate, no attribute columns), stores it and returns true; otherwise
  /// changes nothing and returns false, and the general path checks the row and names its
  /// problem.
  @inline(__always)
  private mutating func acceptLong(_ r: CSVRecord, _ known: Context) -> Bool {
    // No UTF-8 check is needed: without attribute columns, every other column is an identity
    // column, whose bytes were valid in the accepted row they repeat, and the item and value
    // must equal codes of the instrument (valid strings) byte for byte to pass.
    guard let itemKey = r.shortKey(header.item), itemKey != 0,
      let found = itemTable.lookup(itemKey)
    else { return false }
    let item = Int(found)
    guard known.group < 64, allowedGroups[item] & (1 &<< UInt64(known.group)) != 0,
      let valueKey = r.shortKey(header.value)
    else { return false }
    var value: Int16
    if valueKey == 0 {
      value = SurveyTable.Value.skipped
    } else {
      let hit = valueKeys.withUnsafeBufferPointer { keys -> Int in
        var k = keyStart[item]
        let end = keyStart[item + 1]
        while k < end {
          if keys[k] == valueKey { return k }
          k += 1
        }
        return -1
      }
      guard hit >= 0 else { return false }
      value = valueCodes[hit]
    }
    let word = known.index * words + item &>> 6
    let bit = UInt64(1) &<< UInt64(item & 63)
    guard answered[word] & bit == 0 else { return false }
    answered[word] |= bit
    lastKey = RespondentKey(school: known.school, wave: known.wave, respondent: known.respondent)
    lastIndex = known.index
    if batch.isFull { batch.flush(into: &table) }
    batch.add(
      school: known.school, respondent: known.respondent, group: UInt8(known.group),
      wave: known.wave, item: UInt16(item), value: value, hub: known.hub,
      teacher: known.teacher, submittedAt: known.timestamp)
    report.rowsAccepted += 1
    report.answersAccepted += 1
    contextIsPrevious = true
    return true
  }

  /// Whether the identity columns of `r` hold the bytes of ``context``. When the record
  /// before was accepted and the scanner saw this record's leading fields repeat its bytes,
  /// the leading span is known to match without comparing.
  @inline(__always)
  private func sameContext(_ r: CSVRecord, previous: Bool) -> Bool {
    if previous && r.repeated && identityOthers.isEmpty { return true }
    return contextBytes.withUnsafeBufferPointer { c in
      contextLengths.withUnsafeBufferPointer { lengths in
        var at = 0
        if identityPrefix > 0 {
          let start = r.opening(0)
          let count = r.opening(identityPrefix) - start
          guard count == lengths[0],
            bytesEqual(
              UnsafeBufferPointer(rebasing: r.base[start..<(start + count)]),
              UnsafeBufferPointer(rebasing: c[0..<count]))
          else { return false }
          at = count
        }
        for (k, column) in identityOthers.enumerated() {
          let raw = r.raw(column)
          let count = lengths[k + 1]
          guard raw.count == count,
            bytesEqual(raw, UnsafeBufferPointer(rebasing: c[at..<(at + count)]))
          else { return false }
          at += count
        }
        return true
      }
    }
  }

  /// Remembers the identity columns of the accepted row `r` and their codes.
  private mutating func remember(_ r: CSVRecord, _ codes: Context) {
    contextBytes.removeAll(keepingCapacity: true)
    contextLengths.removeAll(keepingCapacity: true)
    let start = identityPrefix > 0 ? r.opening(0) : 0
    let end = identityPrefix > 0 ? r.opening(identityPrefix) : 0
    contextBytes.append(contentsOf: UnsafeBufferPointer(rebasing: r.base[start..<end]))
    contextLengths.append(end - start)
    for column in identityOthers {
      let raw = r.raw(column)
      contextBytes.append(contentsOf: raw)
      contextLengths.append(raw.count)
    }
    context = codes
  }

  /// The rest of a row once its identity columns passed: answers, duplicates, append. `known`
  /// holds the codes when the identity columns repeat the previous accepted row's.
  @inline(__always)
  private mutating func answer(
    _ r: CSVRecord, group groupCode: Int, hub hubCode: Int32, timestamp: Int64, known: Context?
  ) {
    // Answers: one (long) or one per non-empty item cell (wide).
    pendingCount = 0
    if header.layout == .long {
      if r.raw(header.item).isEmpty {
        reject(
          .emptyField, at: r.location(header.item), value: nil,
          "the 'item' field is empty; every row needs one.")
        return
      }
      let found: Int32?
      if let key = r.shortKey(header.item) {
        found = itemTable.lookup(key)
      } else {
        found = r.withField(header.item) { itemCodes.lookup($0) }
      }
      guard let itemCode = found else {
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
    let school: Int32
    let respondent: Int32
    let wave: Int32
    let index: Int
    if let known {
      school = known.school
      respondent = known.respondent
      wave = known.wave
      index = known.index
    } else {
      guard let s = r.withField(header.school, { schools.code(for: $0) }),
        let re = r.withField(header.respondent, { respondents.code(for: $0) }),
        let w = r.withField(header.wave, { waves.code(for: $0) })
      else { return }  // invalid UTF-8 was rejected above
      school = s
      respondent = re
      wave = w
      // Duplicate answers.
      let key = RespondentKey(school: school, wave: wave, respondent: respondent)
      if key == lastKey {
        index = lastIndex
      } else if let found = respondentIndex[key] {
        index = found
      } else {
        index = respondentIndex.count
        respondentIndex[key] = index
        answered.append(contentsOf: repeatElement(0, count: words))
      }
    }
    let key = RespondentKey(school: school, wave: wave, respondent: respondent)
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
    if let known {
      teacherCode = known.teacher
    } else if header.teacher >= 0 && !r.raw(header.teacher).isEmpty {
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
    contextIsPrevious = true
    if known == nil {
      remember(
        r,
        Context(
          group: groupCode, hub: hubCode, timestamp: timestamp, school: school,
          respondent: respondent, wave: wave, teacher: teacherCode, index: index))
    }
  }

  /// Sizes the table's columns for about `answers` answers in all.
  mutating func reserve(answers: Int) {
    table.school.reserveCapacity(answers)
    table.respondent.reserveCapacity(answers)
    table.group.reserveCapacity(answers)
    table.wave.reserveCapacity(answers)
    table.item.reserveCapacity(answers)
    table.value.reserveCapacity(answers)
    if batch.hasHub { table.hub.reserveCapacity(answers) }
    if batch.hasTeacher { table.teacher.reserveCapacity(answers) }
    if batch.hasTimestamp { table.submittedAt.reserveCapacity(answers) }
    for k in attributeColumns.indices { attributeColumns[k].reserveCapacity(answers) }
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
    var code: Int16?
    if let key = r.shortKey(column) { code = lookups[scaleIndex].code(key: key) }
    if code == nil { code = r.withField(column, { lookups[scaleIndex].code($0) }) }
    guard let v = code else {
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
