import Ingest

/// The normalised, columnar table of activity events from xAPI statements or Moodle logs.
///
/// One row per event; strings are interned (`verbs`, `objects`, `tools` hold the distinct
/// values and the columns hold `Int32` codes). Actors are pseudonyms only (see
/// ``Pseudonymizer``): no e-mail address, name or IP address enters the table.
///
/// Memory layout: one contiguous array per column, so that a pass over 10 million events
/// streams about 50 bytes per event.
public struct ActivityEventTable: Sendable {
  /// Where the events came from.
  public enum Source: String, Sendable, Codable {
    case xapi
    case moodle
  }

  /// The source format.
  public internal(set) var source: Source
  /// Actor pseudonyms (lower-case hex HMAC-SHA-256), by actor code.
  public internal(set) var actors: [String] = []
  /// The roster teacher id of each actor, when the roster knows the actor's log identity.
  public internal(set) var actorTeacher: [String?] = []
  /// The roster school id of each actor, when known.
  public internal(set) var actorSchool: [String?] = []
  /// Verb IRIs (xAPI) or event names (Moodle), by verb code.
  public internal(set) var verbs: [String] = []
  /// Object ids (Activity IRIs, statement ids of references, Moodle objects), by object code.
  public internal(set) var objects: [String] = []
  /// Tools (`context.platform`; Moodle `component`), by tool code.
  public internal(set) var tools: [String] = []

  /// Actor code of each event.
  public internal(set) var actor: [Int32] = []
  /// Verb code of each event.
  public internal(set) var verb: [Int32] = []
  /// Object code of each event (-1 when the object is a person, whose id is not kept).
  public internal(set) var object: [Int32] = []
  /// Tool code of each event (-1 when the statement names no tool).
  public internal(set) var tool: [Int32] = []
  /// UTC time of each event in milliseconds since 1970-01-01T00:00:00Z.
  public internal(set) var timestamp: [Int64] = []
  /// `result.duration` in seconds (NaN when absent).
  public internal(set) var duration: [Double] = []
  /// `result.score.scaled` (NaN when absent).
  public internal(set) var scaled: [Double] = []
  /// `result.success`: 1 true, 0 false, -1 absent.
  public internal(set) var success: [Int8] = []
  /// `result.completion`: 1 true, 0 false, -1 absent.
  public internal(set) var completion: [Int8] = []

  /// Creates an empty table.
  public init(source: Source) { self.source = source }

  /// Number of events.
  public var count: Int { timestamp.count }

  /// The school of event `i` (through its actor and the roster), or `nil`.
  public func school(ofEvent i: Int) -> String? { actorSchool[Int(actor[i])] }

  mutating func reserve(_ n: Int) {
    actor.reserveCapacity(n)
    verb.reserveCapacity(n)
    object.reserveCapacity(n)
    tool.reserveCapacity(n)
    timestamp.reserveCapacity(n)
    duration.reserveCapacity(n)
    scaled.reserveCapacity(n)
    success.reserveCapacity(n)
    completion.reserveCapacity(n)
  }

  mutating func append(
    actor a: Int32, verb v: Int32, object o: Int32, tool t: Int32, timestamp ts: Int64,
    duration d: Double, scaled s: Double, success su: Int8, completion c: Int8
  ) {
    actor.append(a)
    verb.append(v)
    object.append(o)
    tool.append(t)
    timestamp.append(ts)
    duration.append(d)
    scaled.append(s)
    success.append(su)
    completion.append(c)
  }

  /// Keeps only the events whose `keep` flag is true.
  mutating func filter(_ keep: [Bool]) {
    func f<T>(_ a: [T]) -> [T] {
      var out = [T]()
      out.reserveCapacity(a.count)
      for i in a.indices where keep[i] { out.append(a[i]) }
      return out
    }
    actor = f(actor)
    verb = f(verb)
    object = f(object)
    tool = f(tool)
    timestamp = f(timestamp)
    duration = f(duration)
    scaled = f(scaled)
    success = f(success)
    completion = f(completion)
  }

  /// Fills `actorTeacher` and `actorSchool` from the roster: each teacher's log identities
  /// (xAPI account, mbox SHA-1, Moodle user id) are pseudonymised with the same key and
  /// matched against the actors' pseudonyms.
  mutating func join(_ roster: Roster?, pseudonymizer: Pseudonymizer) {
    actorTeacher = Array(repeating: nil, count: actors.count)
    actorSchool = Array(repeating: nil, count: actors.count)
    guard let roster else { return }
    let map = pseudonymizer.rosterIdentities(roster)
    for (i, a) in actors.enumerated() {
      if let t = map[a] {
        actorTeacher[i] = roster.teachers[t].id
        actorSchool[i] = roster.teachers[t].school
      }
    }
  }
}

/// A read log: the table (empty when only validating) and what reading found.
public struct ActivityLog: Sendable {
  /// The events.
  public let table: ActivityEventTable
  /// Statements read, accepted, rejected, voided.
  public let report: LogValidationReport
}

extension ActivityEventTable {
  /// The table repeated `times` times, each copy with its own actors (for benchmarks only:
  /// it turns a 1 M-event file into a 10 M-event table without a 3 GB file).
  public func _replicated(_ times: Int) -> ActivityEventTable {
    precondition(times >= 1, "times must be at least 1")
    var out = self
    out.reserve(count * times)
    let actorCount = Int32(actors.count)
    for k in 1..<max(times, 1) {
      out.actors += actors.map { $0 + "#\(k)" }
      out.actorTeacher += actorTeacher
      out.actorSchool += actorSchool
      out.actor += actor.map { $0 + Int32(k) * actorCount }
      out.verb += verb
      out.object += object
      out.tool += tool
      out.timestamp += timestamp
      out.duration += duration
      out.scaled += scaled
      out.success += success
      out.completion += completion
    }
    return out
  }
}
