import Glibc
import Ingest
import _CXAPI

/// The owner of one simdjson parser and of the statement record it fills (on the heap, so
/// that reading a field never copies the record).
final class CXAPIParser {
  let pointer: OpaquePointer
  let statement: UnsafeMutablePointer<cxapi_statement>
  let fields: UnsafeMutablePointer<cxapi_field>

  init() {
    pointer = cxapi_parser_create()
    statement = .allocate(capacity: 1)
    statement.initialize(to: cxapi_statement())
    let offset = MemoryLayout<cxapi_statement>.offset(of: \cxapi_statement.fields) ?? 0
    fields = (UnsafeMutableRawPointer(statement) + offset).assumingMemoryBound(to: cxapi_field.self)
  }

  deinit {
    cxapi_parser_destroy(pointer)
    statement.deallocate()
  }
}

/// Reading state: the parser, the interners, the table being built and the report.
struct ReadState {
  let name: String
  let now: Int64
  let keep: Bool
  let maxErrors: Int
  let pseudonymizer: Pseudonymizer
  var report: LogValidationReport
  var table = ActivityEventTable(source: .xapi)
  let parser = CXAPIParser()

  var identities = ByteInterner()
  var identityActor: [Int32] = []
  var actorByPseudonym: [String: Int32] = [:]
  var verbs = ByteInterner(capacity: 64)
  var verbOK: [Bool] = []
  var objects = ByteInterner()
  var objectOK: [Bool] = []
  var tools = ByteInterner(capacity: 64)
  var scratch: [UInt8] = []

  var eventHigh: [UInt64] = []
  var eventLow: [UInt64] = []
  var voidTargets: [StatementID: (line: Int, column: Int)] = [:]
  var voidingIDs: [StatementID: (line: Int, column: Int)] = [:]

  // Location of the statement being read.
  var statementBase: UnsafePointer<UInt8>?
  var statementLength = 0
  var line = 1
  var lineStart = 0
  var start = 0

  init(reader: XAPIReader, name: String, now: Int64, keep: Bool) {
    self.name = name
    self.now = now
    self.keep = keep
    self.maxErrors = reader.maxErrors
    self.pseudonymizer = reader.pseudonymizer ?? .unkeyed
    report = LogValidationReport(file: name, format: "xapi-jsonl")
  }

  // MARK: - Fields

  @inline(__always) func field(_ id: cxapi_field_id) -> cxapi_field {
    parser.fields[Int(id.rawValue)]
  }

  @inline(__always) func type(_ id: cxapi_field_id) -> cxapi_type {
    cxapi_type(UInt32(field(id).type))
  }

  @inline(__always) func bytes(_ f: cxapi_field) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(
      start: UnsafeRawPointer(f.string)?.assumingMemoryBound(to: UInt8.self), count: f.length)
  }

  func text(_ id: cxapi_field_id) -> String {
    String(decoding: bytes(field(id)), as: UTF8.self)
  }

  // MARK: - Errors

  /// Rejects the statement with the problem located at the value at `path`.
  mutating func reject(_ rule: LogIssue.Rule, _ path: [String], _ message: String) {
    var offset = 0
    if let base = statementBase {
      offset = JSONLocator.offset(
        of: path, in: UnsafeBufferPointer(start: base, count: statementLength))
    }
    let column = start + offset - lineStart + 1
    var l = line
    var c = column
    if let base = statementBase, offset > 0 {
      // Array elements may span lines.
      var ls = -1
      for k in 0..<offset where base[k] == 10 {
        l += 1
        ls = k
      }
      if ls >= 0 { c = offset - ls }
    }
    report.reject(
      LogIssue(file: name, line: l, column: c, rule: rule, message: message), maxErrors: maxErrors)
  }

  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
  }

  static func shown(_ s: String) -> String {
    s.utf8.count > 80 ? String(decoding: Array(s.utf8.prefix(77)), as: UTF8.self) + "..." : s
  }

  // MARK: - One statement

  static let required = [
    (CXAPI_ACTOR, "actor"), (CXAPI_VERB, "verb"), (CXAPI_STATEMENT_OBJECT, "object"),
  ]
  static let actorIDs = [
    CXAPI_ACTOR_MBOX, CXAPI_ACTOR_MBOX_SHA1SUM, CXAPI_ACTOR_OPENID, CXAPI_ACTOR_ACCOUNT,
  ]
  static let objectIDs = [
    CXAPI_OBJECT_MBOX, CXAPI_OBJECT_MBOX_SHA1SUM, CXAPI_OBJECT_OPENID, CXAPI_OBJECT_ACCOUNT,
  ]
  static let times = [(CXAPI_TIMESTAMP, "timestamp"), (CXAPI_STORED, "stored")]
  static let flags = [(CXAPI_RESULT_SUCCESS, "success"), (CXAPI_RESULT_COMPLETION, "completion")]
  static let scores = [
    (CXAPI_SCORE_SCALED, "scaled"), (CXAPI_SCORE_RAW, "raw"), (CXAPI_SCORE_MIN, "min"),
    (CXAPI_SCORE_MAX, "max"),
  ]
  static let identifierNames = ["mbox", "mbox_sha1sum", "openid", "account"]

  mutating func statement(
    _ p: UnsafeBufferPointer<UInt8>, start s: Int, end e: Int, line l: Int, lineStart ls: Int
  ) {
    report.read += 1
    statementBase = p.baseAddress! + s
    statementLength = e - s
    line = l
    lineStart = ls
    start = s
    cxapi_parse(parser.pointer, p.baseAddress! + s, e - s, p.count - s, parser.statement)
    let status = parser.statement.pointee.status
    if status == 1 {
      let reason = parser.statement.pointee.error.map { String(cString: $0) } ?? "malformed JSON"
      statementBase = nil
      reject(.invalidJSON, [], "the statement is not valid JSON: \(reason)")
      return
    }
    if status == 2 {
      reject(.notAnObject, [], "a statement must be a JSON object.")
      return
    }
    for (id, key) in Self.required {
      let t = type(id)
      if t == CXAPI_ABSENT {
        reject(
          .missingProperty, [],
          "the statement has no '\(key)'; xAPI requires actor, verb and object.")
        return
      }
      if t != CXAPI_OBJECT {
        reject(.wrongType, [key], "'\(key)' must be an object.")
        return
      }
    }
    // version
    if type(CXAPI_VERSION) != CXAPI_ABSENT {
      let v = bytes(field(CXAPI_VERSION))
      let ok =
        type(CXAPI_VERSION) == CXAPI_STRING && v.count >= 3 && v[0] == 49 && v[1] == 46
        && v[2] == 48 && (v.count == 3 || v[3] == 46)
      if !ok {
        reject(
          .unsupportedVersion, ["version"],
          "version '\(Self.shown(text(CXAPI_VERSION)))' is not supported; xAPI 1.0.3 accepts 1.0.x only."
        )
        return
      }
    }
    // id
    var statementID: StatementID?
    if type(CXAPI_ID) != CXAPI_ABSENT {
      guard type(CXAPI_ID) == CXAPI_STRING, let id = Syntax.uuid(bytes(field(CXAPI_ID))) else {
        reject(
          .invalidID, ["id"],
          "statement id '\(Self.shown(text(CXAPI_ID)))' is not a UUID (8-4-4-4-12 hexadecimal digits)."
        )
        return
      }
      statementID = id
    }
    // actor
    guard let actorKind = agent(actor: true) else { return }
    // verb
    let verbID = field(CXAPI_VERB_ID)
    switch type(CXAPI_VERB_ID) {
    case CXAPI_ABSENT:
      reject(
        .missingProperty, ["verb"], "'verb' has no 'id'; a verb is identified by its IRI.")
      return
    case CXAPI_STRING: break
    default:
      reject(.wrongType, ["verb", "id"], "'verb.id' must be a string (an IRI).")
      return
    }
    let (verbCode, newVerb) = verbs.code(for: bytes(verbID))
    if newVerb { verbOK.append(Syntax.isAbsoluteIRI(bytes(verbID))) }
    guard verbOK[Int(verbCode)] else {
      reject(
        .invalidIRI, ["verb", "id"],
        "verb id '\(Self.shown(text(CXAPI_VERB_ID)))' is not an absolute IRI (e.g. "
          + "http://adlnet.gov/expapi/verbs/completed); meaning comes from the IRI, never from "
          + "'display'.")
      return
    }
    let isVoiding = bytesEqualString(bytes(verbID), XAPIReader.voidedVerb)
    // object
    guard let object = objectCheck(voiding: isVoiding) else { return }
    // time
    guard let time = timestamp() else { return }
    // result
    guard let result = resultCheck() else { return }
    // context
    var toolCode: Int32 = -1
    if type(CXAPI_CONTEXT) != CXAPI_ABSENT {
      guard type(CXAPI_CONTEXT) == CXAPI_OBJECT else {
        reject(.wrongType, ["context"], "'context' must be an object.")
        return
      }
      switch type(CXAPI_CONTEXT_PLATFORM) {
      case CXAPI_ABSENT: break
      case CXAPI_STRING:
        if keep { toolCode = tools.code(for: bytes(field(CXAPI_CONTEXT_PLATFORM))).code }
      default:
        reject(.wrongType, ["context", "platform"], "'context.platform' must be a string.")
        return
      }
    }
    report.accepted += 1
    let column = start - lineStart + 1
    if isVoiding {
      report.voiding += 1
      if case .statement(let target) = object {
        if voidTargets[target] == nil { voidTargets[target] = (line, column) }
      }
      if let statementID { voidingIDs[statementID] = (line, column) }
      return
    }
    guard case .identified = actorKind else {
      report.skipped += 1
      return
    }
    eventHigh.append(statementID?.high ?? 0)
    eventLow.append(statementID?.low ?? 0)
    guard keep else { return }
    let actorCode = actor()
    let objectCode: Int32
    switch object {
    case .activity(let code): objectCode = code
    case .statement(let id):
      // A reference's key starts with 0xFF, a byte no valid UTF-8 string (so no Activity id)
      // holds: references never share a code, or a cached IRI verdict, with Activities.
      scratch.removeAll(keepingCapacity: true)
      scratch.append(0xFF)
      scratch.append(contentsOf: Array(hexUUID(id).utf8))
      let (code, isNew) = scratch.withUnsafeBufferPointer { objects.code(for: $0) }
      if isNew { objectOK.append(false) }
      objectCode = code
    case .other: objectCode = -1
    }
    table.append(
      actor: actorCode, verb: verbCode, object: objectCode, tool: toolCode, timestamp: time,
      duration: result.duration, scaled: result.scaled, success: result.success,
      completion: result.completion)
  }

  // MARK: - Agents

  enum AgentKind {
    case identified
    case anonymousGroup
  }

  /// Checks the actor (or an Agent/Group object); for the actor, leaves its identity key in
  /// `scratch`. Returns nil after rejecting.
  mutating func agent(actor: Bool) -> AgentKind? {
    let p = actor ? "actor" : "object"
    let ids = actor ? Self.actorIDs : Self.objectIDs
    let names = Self.identifierNames
    var isGroup = false
    if actor {
      switch type(CXAPI_ACTOR_OBJECTTYPE) {
      case CXAPI_ABSENT: break
      case CXAPI_STRING:
        let t = bytes(field(CXAPI_ACTOR_OBJECTTYPE))
        isGroup = bytesEqualString(t, "Group")
        guard isGroup || bytesEqualString(t, "Agent") else {
          reject(
            .identifier, ["actor", "objectType"],
            "'actor.objectType' must be 'Agent' or 'Group', not '\(Self.shown(text(CXAPI_ACTOR_OBJECTTYPE)))'."
          )
          return nil
        }
      default:
        reject(.wrongType, ["actor", "objectType"], "'actor.objectType' must be a string.")
        return nil
      }
    } else {
      isGroup =
        type(CXAPI_OBJECT_OBJECTTYPE) == CXAPI_STRING
        && bytesEqualString(bytes(field(CXAPI_OBJECT_OBJECTTYPE)), "Group")
    }
    var presentCount = 0
    var first = 0
    for k in 0..<4 where type(ids[k]) != CXAPI_ABSENT {
      if presentCount == 0 { first = k }
      presentCount += 1
    }
    if presentCount > 1 {
      let present = ids.indices.filter { type(ids[$0]) != CXAPI_ABSENT }
      reject(
        .identifier, [p],
        "'\(p)' has \(present.count) inverse functional identifiers ("
          + present.map { names[$0] }.joined(separator: ", ")
          + "); an Agent or Group needs exactly one of mbox, mbox_sha1sum, openid, account.")
      return nil
    }
    if presentCount == 0 {
      if isGroup {
        let member = actor ? CXAPI_ACTOR_MEMBER : CXAPI_OBJECT_MEMBER
        guard type(member) == CXAPI_ARRAY, field(member).count > 0 else {
          reject(
            .identifier, [p],
            "'\(p)' is an anonymous Group (no inverse functional identifier) and needs a "
              + "non-empty 'member' array.")
          return nil
        }
        return .anonymousGroup
      }
      reject(
        .identifier, [p],
        "'\(p)' has no inverse functional identifier; an Agent needs exactly one of mbox, "
          + "mbox_sha1sum, openid, account.")
      return nil
    }
    let k = first
    let f = field(ids[k])
    let b = bytes(f)
    let kindType = cxapi_type(UInt32(f.type))
    if k < 3 && kindType != CXAPI_STRING {
      reject(.wrongType, [p, names[k]], "'\(p).\(names[k])' must be a string.")
      return nil
    }
    switch k {
    case 0:
      let ok = b.count > 8 && bytesHasPrefix(b, "mailto:") && b.dropFirst(7).contains(64)
      guard ok else {
        reject(
          .identifier, [p, "mbox"],
          "'\(p).mbox' must be a mailto: IRI with an address (mailto:name@example.org).")
        return nil
      }
    case 1:
      guard Syntax.isSHA1Hex(b) else {
        reject(
          .identifier, [p, "mbox_sha1sum"],
          "'\(p).mbox_sha1sum' must be 40 hexadecimal digits (the SHA-1 of the mailto: IRI).")
        return nil
      }
    case 2:
      guard Syntax.isAbsoluteIRI(b) else {
        reject(.invalidIRI, [p, "openid"], "'\(p).openid' must be an absolute IRI.")
        return nil
      }
    default:
      let home = actor ? CXAPI_ACTOR_ACCOUNT_HOMEPAGE : CXAPI_OBJECT_ACCOUNT_HOMEPAGE
      let name = actor ? CXAPI_ACTOR_ACCOUNT_NAME : CXAPI_OBJECT_ACCOUNT_NAME
      guard kindType == CXAPI_OBJECT, type(home) == CXAPI_STRING, type(name) == CXAPI_STRING
      else {
        reject(
          .identifier, [p, "account"],
          "'\(p).account' must be an object with string 'homePage' (an IRL) and 'name'.")
        return nil
      }
      guard Syntax.isAbsoluteIRI(bytes(field(home))) else {
        reject(
          .invalidIRI, [p, "account", "homePage"],
          "'\(p).account.homePage' must be an absolute IRI.")
        return nil
      }
    }
    if actor {
      scratch.removeAll(keepingCapacity: true)
      scratch.append(UInt8(k))
      if k == 3 {
        let home = bytes(field(CXAPI_ACTOR_ACCOUNT_HOMEPAGE))
        let name = bytes(field(CXAPI_ACTOR_ACCOUNT_NAME))
        scratch.append(contentsOf: home)
        scratch.append(UInt8(ascii: "|"))
        scratch.append(contentsOf: name)
      } else {
        scratch.append(contentsOf: b)
      }
    }
    return .identified
  }

  /// The actor code of the identity in `scratch`, pseudonymising new identities.
  mutating func actor() -> Int32 {
    let (code, isNew) = scratch.withUnsafeBufferPointer { identities.code(for: $0) }
    if !isNew { return identityActor[Int(code)] }
    let kind = scratch[0]
    let value = String(decoding: scratch[1...], as: UTF8.self)
    let identity: String
    switch kind {
    case 0: identity = Pseudonymizer.identity(mbox: value)
    case 1: identity = Pseudonymizer.identity(mboxSHA1: value)
    case 2: identity = "openid:" + value
    default: identity = Pseudonymizer.identity(account: value)
    }
    let pseudonym = pseudonymizer.pseudonym(identity)
    let actorCode: Int32
    if let existing = actorByPseudonym[pseudonym] {
      actorCode = existing
    } else {
      actorCode = Int32(table.actors.count)
      table.actors.append(pseudonym)
      actorByPseudonym[pseudonym] = actorCode
    }
    identityActor.append(actorCode)
    return actorCode
  }

  // MARK: - Object

  enum ObjectKind {
    case activity(Int32)
    case statement(StatementID)
    case other
  }

  /// The object types xAPI 1.0.3 knows, read from the bytes without making a String.
  enum ObjectType {
    case activity, statementRef, agentOrGroup, subStatement, unknown

    init(_ b: UnsafeBufferPointer<UInt8>) {
      if bytesEqualString(b, "Activity") {
        self = .activity
      } else if bytesEqualString(b, "StatementRef") {
        self = .statementRef
      } else if bytesEqualString(b, "Agent") || bytesEqualString(b, "Group") {
        self = .agentOrGroup
      } else if bytesEqualString(b, "SubStatement") {
        self = .subStatement
      } else {
        self = .unknown
      }
    }
  }

  mutating func objectCheck(voiding: Bool) -> ObjectKind? {
    var objectType = ObjectType.activity
    switch type(CXAPI_OBJECT_OBJECTTYPE) {
    case CXAPI_ABSENT: break
    case CXAPI_STRING: objectType = ObjectType(bytes(field(CXAPI_OBJECT_OBJECTTYPE)))
    default:
      reject(.wrongType, ["object", "objectType"], "'object.objectType' must be a string.")
      return nil
    }
    if voiding && objectType != .statementRef {
      reject(
        .voiding, ["object"],
        "a voiding statement's object must be a StatementRef (objectType 'StatementRef' and "
          + "the id of the statement to void).")
      return nil
    }
    switch objectType {
    case .activity:
      switch type(CXAPI_OBJECT_ID) {
      case CXAPI_ABSENT:
        reject(
          .invalidObject, ["object"],
          "the Activity 'object' has no 'id'; an Activity is identified by an absolute IRI.")
        return nil
      case CXAPI_STRING: break
      default:
        reject(.wrongType, ["object", "id"], "'object.id' must be a string (an IRI).")
        return nil
      }
      let b = bytes(field(CXAPI_OBJECT_ID))
      let (code, isNew) = objects.code(for: b)
      if isNew { objectOK.append(Syntax.isAbsoluteIRI(b)) }
      guard objectOK[Int(code)] else {
        reject(
          .invalidIRI, ["object", "id"],
          "object id '\(Self.shown(text(CXAPI_OBJECT_ID)))' is not an absolute IRI.")
        return nil
      }
      return .activity(code)
    case .statementRef:
      guard type(CXAPI_OBJECT_ID) == CXAPI_STRING,
        let id = Syntax.uuid(bytes(field(CXAPI_OBJECT_ID)))
      else {
        reject(
          .invalidObject, ["object", "id"],
          "a StatementRef 'object' needs the 'id' (a UUID) of the statement it refers to.")
        return nil
      }
      return .statement(id)
    case .agentOrGroup:
      guard agent(actor: false) != nil else { return nil }
      return .other
    case .subStatement:
      guard type(CXAPI_OBJECT_ACTOR) == CXAPI_OBJECT, type(CXAPI_OBJECT_VERB) == CXAPI_OBJECT,
        type(CXAPI_OBJECT_OBJECT) == CXAPI_OBJECT
      else {
        reject(
          .invalidObject, ["object"], "a SubStatement 'object' needs actor, verb and object.")
        return nil
      }
      return .other
    case .unknown:
      reject(
        .invalidObject, ["object", "objectType"],
        "'object.objectType' '\(Self.shown(text(CXAPI_OBJECT_OBJECTTYPE)))' is unknown; expected Activity, Agent, "
          + "Group, StatementRef or SubStatement.")
      return nil
    }
  }

  // MARK: - Time

  mutating func timestamp() -> Int64? {
    var time: Int64?
    for (id, key) in Self.times {
      let t = type(id)
      if t == CXAPI_ABSENT { continue }
      guard t == CXAPI_STRING else {
        reject(.wrongType, [key], "'\(key)' must be a string (ISO 8601).")
        return nil
      }
      let b = bytes(field(id))
      guard let ms = Timestamp.parse(b) else {
        reject(
          .invalidTimestamp, [key],
          "\(key) '\(Self.shown(text(id)))' is not ISO 8601 with a time zone "
            + "(e.g. 2024-01-13T03:33:30.759Z).")
        return nil
      }
      if bytesHasSuffix(b, "-00:00") || bytesHasSuffix(b, "-0000") || bytesHasSuffix(b, "-00") {
        reject(
          .invalidTimestamp, [key],
          "\(key) '\(Self.shown(text(id)))' uses the offset -00:00, which xAPI forbids; use Z or "
            + "+00:00.")
        return nil
      }
      if ms > now {
        reject(
          .futureTimestamp, [key],
          "\(key) '\(Self.shown(text(id)))' is in the future; xAPI forbids future timestamps.")
        return nil
      }
      if time == nil { time = ms }
    }
    guard let time else {
      reject(
        .missingProperty, [],
        "the statement has neither 'timestamp' nor 'stored'; an activity event needs a time.")
      return nil
    }
    return time
  }

  // MARK: - Result

  struct Result {
    var duration = Double.nan
    var scaled = Double.nan
    var success: Int8 = -1
    var completion: Int8 = -1
  }

  mutating func resultCheck() -> Result? {
    var r = Result()
    let t = type(CXAPI_RESULT)
    if t == CXAPI_ABSENT { return r }
    guard t == CXAPI_OBJECT else {
      reject(.wrongType, ["result"], "'result' must be an object.")
      return nil
    }
    switch type(CXAPI_RESULT_DURATION) {
    case CXAPI_ABSENT: break
    case CXAPI_STRING:
      guard let d = Syntax.durationSeconds(bytes(field(CXAPI_RESULT_DURATION))) else {
        reject(
          .invalidDuration, ["result", "duration"],
          "duration '\(Self.shown(text(CXAPI_RESULT_DURATION)))' is not an ISO 8601 duration "
            + "(e.g. PT1H30M or PT45.5S).")
        return nil
      }
      r.duration = d
    default:
      reject(.wrongType, ["result", "duration"], "'result.duration' must be a string.")
      return nil
    }
    for (id, key) in Self.flags {
      switch type(id) {
      case CXAPI_ABSENT: break
      case CXAPI_BOOL:
        let v: Int8 = field(id).boolean != 0 ? 1 : 0
        if key == "success" { r.success = v } else { r.completion = v }
      default:
        reject(.wrongType, ["result", key], "'result.\(key)' must be true or false.")
        return nil
      }
    }
    let st = type(CXAPI_RESULT_SCORE)
    if st == CXAPI_ABSENT { return r }
    guard st == CXAPI_OBJECT else {
      reject(.wrongType, ["result", "score"], "'result.score' must be an object.")
      return nil
    }
    // scaled, raw, min, max (no array: this runs for every scored statement).
    var values: (Double?, Double?, Double?, Double?) = (nil, nil, nil, nil)
    for (k, (id, key)) in Self.scores.enumerated() {
      let v: Double?
      switch type(id) {
      case CXAPI_ABSENT: v = nil
      case CXAPI_NUMBER: v = field(id).number
      default:
        reject(.wrongType, ["result", "score", key], "'result.score.\(key)' must be a number.")
        return nil
      }
      switch k {
      case 0: values.0 = v
      case 1: values.1 = v
      case 2: values.2 = v
      default: values.3 = v
      }
    }
    if let s = values.0, !(s >= -1 && s <= 1) {
      reject(
        .scoreOutOfRange, ["result", "score", "scaled"],
        "result.score.scaled \(Self.number(s)) is outside [-1, 1].")
      return nil
    }
    if let lo = values.2, let hi = values.3, lo > hi {
      reject(
        .scoreOutOfRange, ["result", "score", "min"],
        "result.score.min \(Self.number(lo)) is greater than max \(Self.number(hi)).")
      return nil
    }
    if let raw = values.1 {
      let lo = values.2 ?? -.infinity
      let hi = values.3 ?? .infinity
      if raw < lo || raw > hi {
        let l = values.2.map(Self.number) ?? "-inf"
        let h = values.3.map(Self.number) ?? "inf"
        reject(
          .scoreOutOfRange, ["result", "score", "raw"],
          "result.score.raw \(Self.number(raw)) is outside [min, max] = [\(l), \(h)].")
        return nil
      }
    }
    r.scaled = values.0 ?? .nan
    return r
  }

  // MARK: - Finish

  /// Applies voiding, joins the roster and hands out the log.
  mutating func finish(roster: Roster?) -> ActivityLog {
    // A voiding statement must not target another voiding statement.
    var badTargets: [(Int, Int, StatementID)] = []
    for (target, loc) in voidTargets where voidingIDs[target] != nil {
      badTargets.append((loc.line, loc.column, target))
    }
    for (l, c, target) in badTargets.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
      voidTargets[target] = nil
      report.accepted -= 1
      report.voiding -= 1
      report.reject(
        LogIssue(
          file: name, line: l, column: c, rule: .voiding,
          message: "statement \(hexUUID(target)) is itself a voiding statement and cannot be "
            + "voided."), maxErrors: maxErrors)
    }
    if !voidTargets.isEmpty {
      var found: Set<StatementID> = []
      var keepRows = [Bool](repeating: true, count: eventHigh.count)
      for i in eventHigh.indices where eventHigh[i] != 0 || eventLow[i] != 0 {
        let id = StatementID(high: eventHigh[i], low: eventLow[i])
        if voidTargets[id] != nil {
          keepRows[i] = false
          found.insert(id)
          report.voided += 1
        }
      }
      report.voidTargetsNotFound = voidTargets.count - found.count
      if keep && report.voided > 0 { table.filter(keepRows) }
    }
    report.issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    if keep {
      table.verbs = (0..<verbs.count).map { String(decoding: verbs.key(Int32($0)), as: UTF8.self) }
      table.objects = (0..<objects.count).map {
        let key = objects.key(Int32($0))
        return key.first == 0xFF
          ? "statement:" + String(decoding: key.dropFirst(), as: UTF8.self)
          : String(decoding: key, as: UTF8.self)
      }
      table.tools = (0..<tools.count).map { String(decoding: tools.key(Int32($0)), as: UTF8.self) }
      table.join(roster, pseudonymizer: pseudonymizer)
    }
    return ActivityLog(table: table, report: report)
  }
}

func hexUUID(_ id: StatementID) -> String {
  var bytes: [UInt8] = []
  for k in stride(from: 56, through: 0, by: -8) {
    bytes.append(UInt8(truncatingIfNeeded: id.high >> UInt64(k)))
  }
  for k in stride(from: 56, through: 0, by: -8) {
    bytes.append(UInt8(truncatingIfNeeded: id.low >> UInt64(k)))
  }
  let h = Array(hex(bytes).utf8)
  var out: [UInt8] = []
  for (i, c) in h.enumerated() {
    if i == 8 || i == 12 || i == 16 || i == 20 { out.append(45) }
    out.append(c)
  }
  return String(decoding: out, as: UTF8.self)
}

@inline(__always)
func bytesEqualString(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
  guard b.count == s.utf8CodeUnitCount, let base = b.baseAddress else { return false }
  return memcmp(base, s.utf8Start, b.count) == 0
}

func bytesHasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
  guard b.count >= s.utf8CodeUnitCount, let base = b.baseAddress else { return false }
  return memcmp(base, s.utf8Start, s.utf8CodeUnitCount) == 0
}

func bytesHasSuffix(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
  let n = s.utf8CodeUnitCount
  guard b.count >= n, let base = b.baseAddress else { return false }
  return memcmp(base + b.count - n, s.utf8Start, n) == 0
}
