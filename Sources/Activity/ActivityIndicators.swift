import Foundation
import Ingest

/// Activity indicators per teacher, school and hub, per week, wave or the whole log: events,
/// active days, sessions, time on task, distinct tools and verbs, regularity, school adoption
/// rate, completion and success rates, mean scaled score.
///
/// **Sessions.** Each actor's events are sorted by time. A gap between consecutive events of at
/// most ``sessionGap`` seconds continues a session (a gap exactly at the threshold continues
/// it); a longer gap starts a new one. Periods split sessions: the first event of an actor in a
/// period always starts a session.
///
/// **Time on task.** The sum, over consecutive events within a session, of the gap capped at
/// ``maxGapCredit`` (default: the session gap, so every counted gap is credited in full). The
/// last event of a session adds nothing (its end is unknown), so a one-event session counts 0.
///
/// **Days and weeks** are local to the teacher's school (the roster's `time_zone`, IANA names,
/// daylight saving time included); without a roster, UTC. Weeks start on Monday (ISO 8601).
///
/// ```swift
/// let result = try ActivityIndicators(sessionGap: 1800, period: .week).compute(log.table,
///                                                                              roster: roster)
/// ```
///
/// - Complexity: O(*n*) for *n* events (a counting sort by actor, then one pass), plus a sort of
///   any actor whose events are out of time order.
public struct ActivityIndicators: Sendable {
  /// The time unit of the rows.
  public enum Period: Sendable, Equatable {
    /// ISO weeks, Monday to Sunday, in local time.
    case week
    /// Waves starting at the given instants (ms since the epoch, increasing); events before
    /// the first start are left out.
    case waves(starts: [Int64])
    /// The whole log as one period.
    case all
  }

  /// Inactivity gap, in seconds, that ends a session (default 1800: 30 minutes).
  public var sessionGap: Int64
  /// The most a gap within a session adds to time on task, in seconds (default: the gap).
  public var maxGapCredit: Int64?
  /// The period of the rows (default: weeks).
  public var period: Period
  /// Days of activity a teacher needs in a period to count as an adopter (default 1).
  public var adoptionDays: Int
  /// Threads that sort the actors' events by time (default 1); the results do not depend on
  /// it (each actor's events are sorted by one thread, identically).
  public var threads: Int

  /// Creates the indicator settings; they are checked in ``compute(_:roster:)``.
  public init(
    sessionGap: Int64 = 1800, maxGapCredit: Int64? = nil, period: Period = .week,
    adoptionDays: Int = 1, threads: Int = 1
  ) {
    self.sessionGap = sessionGap
    self.maxGapCredit = maxGapCredit
    self.period = period
    self.adoptionDays = adoptionDays
    self.threads = threads
  }

  /// Level of a row.
  public enum Level: String, Sendable, Codable { case teacher, school, hub }

  /// One row: one unit (teacher, school or hub) in one period.
  public struct Row: Sendable, Codable, Equatable {
    public var level: Level
    /// Roster teacher id (or the actor's pseudonym), school id, or hub id.
    public var unit: String
    public var school: String?
    public var hub: String?
    /// `2024-W03`, `wave 2` or `all`.
    public var period: String
    /// Teachers counted: 1 for a teacher; the roster's teachers of a school or hub.
    public var teachers: Int
    /// Teachers with at least one event in the period.
    public var activeTeachers: Int
    public var events: Int
    /// Teacher-days with at least one event (summed over teachers for schools and hubs).
    public var activeDays: Int
    public var sessions: Int
    public var timeOnTaskSeconds: Double
    public var distinctTools: Int
    public var distinctVerbs: Int
    /// Share of the period's weeks with activity (mean over `teachers` for schools and hubs).
    public var regularity: Double?
    /// Share of `teachers` active on at least `adoptionDays` days (schools and hubs).
    public var adoptionRate: Double?
    /// Share of events with `completion` true among those that state it.
    public var completionRate: Double?
    /// Share of events with `success` true among those that state it.
    public var successRate: Double?
    /// Mean of `result.score.scaled` over the events that carry one.
    public var meanScaled: Double?
  }

  /// The indicators and the settings that produced them.
  public struct Result: Sendable, Codable {
    public let sessionGapSeconds: Int64
    public let maxGapCreditSeconds: Int64
    public let adoptionDays: Int
    public let period: String
    /// Rows: teachers, then schools, then hubs, each by unit and period.
    public let rows: [Row]
    /// Actors the roster does not know (their rows have no school).
    public let unmatchedActors: Int
    /// Events before the first wave start, left out.
    public let eventsBeforeFirstWave: Int
    /// Roster time zones that are not IANA names (UTC was used).
    public let unknownTimeZones: [String]
  }

  /// Computes the indicators of `table`; `roster` gives schools, hubs and time zones.
  ///
  /// - Throws: ``ActivityError/invalidSetting(_:)`` for a non-positive gap or adoption days,
  ///   or wave starts not increasing.
  public func compute(_ table: ActivityEventTable, roster: Roster? = nil) throws(ActivityError)
    -> Result
  {
    guard sessionGap > 0 else {
      throw .invalidSetting("the session gap must be positive, got \(sessionGap) s.")
    }
    let credit = maxGapCredit ?? sessionGap
    guard credit >= 0 else {
      throw .invalidSetting("the time-on-task gap cap must be >= 0, got \(credit) s.")
    }
    guard adoptionDays >= 1 else {
      throw .invalidSetting("adoption needs at least 1 active day, got \(adoptionDays).")
    }
    var waveStarts: [Int64] = []
    if case .waves(let starts) = period {
      guard !starts.isEmpty, zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw .invalidSetting("wave starts must be given and increasing.")
      }
      waveStarts = starts
    }
    let n = table.count
    let actorCount = table.actors.count
    // MARK: Group events by actor (counting sort), each actor's events in time order.
    // One sequential pass scatters each event's fields, packed in one record, to its place
    // among its actor's events (random writes, which do not stall as random reads do); the
    // pass over actors below then reads the records in order.
    var start = [Int](repeating: 0, count: actorCount + 1)
    for a in table.actor { start[Int(a) + 1] += 1 }
    for k in 0..<actorCount { start[k + 1] += start[k] }
    var records = [EventRecord](
      unsafeUninitializedCapacity: n,
      initializingWith: { buffer, count in
        var fill = start
        table.actor.withUnsafeBufferPointer { actor in
          table.timestamp.withUnsafeBufferPointer { time in
            table.tool.withUnsafeBufferPointer { tool in
              table.verb.withUnsafeBufferPointer { verb in
                table.completion.withUnsafeBufferPointer { completion in
                  table.success.withUnsafeBufferPointer { success in
                    table.scaled.withUnsafeBufferPointer { scaled in
                      fill.withUnsafeMutableBufferPointer { fill in
                        for i in 0..<n {
                          let a = Int(actor[i])
                          buffer.initializeElement(
                            at: fill[a],
                            to: EventRecord(
                              time: time[i], scaled: scaled[i], tool: tool[i], verb: verb[i],
                              completion: completion[i], success: success[i]))
                          fill[a] &+= 1
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        count = n
      })
    let minTime = table.timestamp.min() ?? 0
    let maxTime = table.timestamp.max() ?? 0
    Self.sortByTime(
      &records, start: start, minTime: minTime, maxTime: maxTime, threads: Swift.max(1, threads))
    // MARK: Roster: schools, hubs, zones.
    var schoolOf: [String: Roster.School] = [:]
    var teachersInSchool: [String: Int] = [:]
    var teachersInHub: [String: Int] = [:]
    if let roster {
      for s in roster.schools { schoolOf[s.id] = s }
      for t in roster.teachers {
        teachersInSchool[t.school, default: 0] += 1
        if let hub = schoolOf[t.school]?.hub { teachersInHub[hub, default: 0] += 1 }
      }
    }
    var zones: [String: ZoneOffsets] = [:]
    var unknownZones: Set<String> = []
    // MARK: Period labels and week spans.
    let globalFirstWeek = Self.week(ofDay: Self.floorDiv(minTime, 86_400_000))
    let globalLastWeek = Self.week(ofDay: Self.floorDiv(maxTime, 86_400_000))
    func weeksIn(_ p: Int64) -> Int {
      switch period {
      case .week: return 1
      case .all: return Int(globalLastWeek - globalFirstWeek + 1)
      case .waves:
        let from = Self.week(ofDay: Self.floorDiv(waveStarts[Int(p)], 86_400_000))
        let endMS = Int(p) + 1 < waveStarts.count ? waveStarts[Int(p) + 1] - 1 : maxTime
        let to = Self.week(ofDay: Self.floorDiv(max(endMS, waveStarts[Int(p)]), 86_400_000))
        return Int(to - from + 1)
      }
    }
    var labels: [Int64: String] = [:]
    func label(_ p: Int64) -> String {
      if let l = labels[p] { return l }
      let l: String
      switch period {
      case .week: l = Self.isoWeekLabel(p)
      case .all: l = "all"
      case .waves: l = "wave \(p + 1)"
      }
      labels[p] = l
      return l
    }
    // MARK: One pass per actor.
    struct Accumulator {
      var events = 0
      var activeDays = 0
      var activeWeeks = 0
      var sessions = 0
      var timeOnTask: Int64 = 0
      var tools = 0
      var verbs = 0
      var completionKnown = 0
      var completed = 0
      var successKnown = 0
      var succeeded = 0
      var scaledSum = 0.0
      var scaledCount = 0
    }
    struct UnitKey: Hashable {
      let unit: String
      let period: Int64
    }
    struct UnitAccumulator {
      var sum = Accumulator()
      var activeTeachers = 0
      var adopters = 0
      var regularitySum = 0.0
      var tools: Set<Int32> = []
      var verbs: Set<Int32> = []
    }
    var teacherRows: [Row] = []
    var schoolUnits: [UnitKey: UnitAccumulator] = [:]
    var hubUnits: [UnitKey: UnitAccumulator] = [:]
    var periodsSeen: Set<Int64> = []
    var toolStamp = [Int](repeating: -1, count: table.tools.count)
    var verbStamp = [Int](repeating: -1, count: table.verbs.count)
    var runID = 0
    var beforeFirstWave = 0
    var unmatched = 0
    let periodKind: Int
    switch period {
    case .week: periodKind = 0
    case .all: periodKind = 1
    case .waves: periodKind = 2
    }
    let gapMS = sessionGap * 1000
    let creditMS = credit * 1000
    // Teacher rows come out ordered by unit (teacher id or pseudonym), then period.
    let units = (0..<actorCount).map {
      ($0 < table.actorTeacher.count ? table.actorTeacher[$0] : nil) ?? table.actors[$0]
    }
    let actorOrder = (0..<actorCount).sorted { units[$0] < units[$1] }
    for a in actorOrder where start[a] < start[a + 1] {
      let schoolID = a < table.actorSchool.count ? table.actorSchool[a] : nil
      let school = schoolID.flatMap { schoolOf[$0] }
      if table.actorTeacher.isEmpty || table.actorTeacher[a] == nil { unmatched += 1 }
      var zone: ZoneOffsets?
      if let school, school.timeZone != "UTC" {
        if let z = zones[school.timeZone] {
          zone = z
        } else if let z = ZoneOffsets(identifier: school.timeZone, from: minTime, to: maxTime) {
          zones[school.timeZone] = z
          zone = z
        } else {
          unknownZones.insert(school.timeZone)
        }
      }
      let unit = units[a]
      var acc = Accumulator()
      var currentPeriod: Int64 = .min
      var lastDay: Int64 = .min
      var lastWeek: Int64 = .min
      var lastTime: Int64 = 0
      var runTools: [Int32] = []
      var runVerbs: [Int32] = []
      func flush() {
        guard acc.events > 0 else { return }
        let weeks = weeksIn(currentPeriod)
        let regularity = Double(acc.activeWeeks) / Double(max(weeks, 1))
        teacherRows.append(
          Row(
            level: .teacher, unit: unit, school: school?.id, hub: school?.hub,
            period: label(currentPeriod), teachers: 1, activeTeachers: 1, events: acc.events,
            activeDays: acc.activeDays, sessions: acc.sessions,
            timeOnTaskSeconds: Double(acc.timeOnTask) / 1000, distinctTools: acc.tools,
            distinctVerbs: acc.verbs, regularity: regularity, adoptionRate: nil,
            completionRate: Self.rate(acc.completed, acc.completionKnown),
            successRate: Self.rate(acc.succeeded, acc.successKnown),
            meanScaled: acc.scaledCount > 0 ? acc.scaledSum / Double(acc.scaledCount) : nil))
        if let school {
          // In place: a copy taken out of the dictionary would copy its sets on write.
          add(
            regularity,
            to: &schoolUnits[UnitKey(unit: school.id, period: currentPeriod), default: .init()])
          add(
            regularity,
            to: &hubUnits[UnitKey(unit: school.hub, period: currentPeriod), default: .init()])
        }
        acc = Accumulator()
        runTools.removeAll(keepingCapacity: true)
        runVerbs.removeAll(keepingCapacity: true)
      }
      /// Adds the teacher's period to a school's or hub's.
      func add(_ regularity: Double, to u: inout UnitAccumulator) {
        u.sum.events += acc.events
        u.sum.activeDays += acc.activeDays
        u.sum.sessions += acc.sessions
        u.sum.timeOnTask += acc.timeOnTask
        u.sum.completionKnown += acc.completionKnown
        u.sum.completed += acc.completed
        u.sum.successKnown += acc.successKnown
        u.sum.succeeded += acc.succeeded
        u.sum.scaledSum += acc.scaledSum
        u.sum.scaledCount += acc.scaledCount
        u.activeTeachers += 1
        if acc.activeDays >= adoptionDays { u.adopters += 1 }
        u.regularitySum += regularity
        u.tools.formUnion(runTools)
        u.verbs.formUnion(runVerbs)
      }
      for k in start[a]..<start[a + 1] {
        let event = records[k]
        let t = event.time
        let local = t + (zone?.offset(at: t) ?? 0)
        let day = Self.floorDiv(local, 86_400_000)
        let p: Int64
        switch periodKind {
        case 0: p = Self.week(ofDay: day)
        case 1: p = 0
        default:
          var w = -1
          while w + 1 < waveStarts.count && waveStarts[w + 1] <= t { w += 1 }
          if w < 0 {
            beforeFirstWave += 1
            continue
          }
          p = Int64(w)
        }
        if p != currentPeriod {
          flush()
          currentPeriod = p
          periodsSeen.insert(p)
          runID += 1
          lastDay = .min
          lastWeek = .min
        }
        if acc.events == 0 {
          acc.sessions += 1
        } else {
          let gap = t - lastTime
          if gap > gapMS { acc.sessions += 1 } else { acc.timeOnTask += min(gap, creditMS) }
        }
        lastTime = t
        acc.events += 1
        if day != lastDay {
          acc.activeDays += 1
          lastDay = day
          let w = Self.week(ofDay: day)
          if w != lastWeek {
            acc.activeWeeks += 1
            lastWeek = w
          }
        }
        let tool = event.tool
        if tool >= 0 && toolStamp[Int(tool)] != runID {
          toolStamp[Int(tool)] = runID
          acc.tools += 1
          runTools.append(tool)
        }
        let verb = event.verb
        if verbStamp[Int(verb)] != runID {
          verbStamp[Int(verb)] = runID
          acc.verbs += 1
          runVerbs.append(verb)
        }
        let c = event.completion
        if c >= 0 {
          acc.completionKnown += 1
          acc.completed += Int(c)
        }
        let s = event.success
        if s >= 0 {
          acc.successKnown += 1
          acc.succeeded += Int(s)
        }
        let sc = event.scaled
        if !sc.isNaN {
          acc.scaledSum += sc
          acc.scaledCount += 1
        }
      }
      flush()
    }
    // MARK: School and hub rows, every unit in every period seen.
    var rows = teacherRows
    if let roster {
      let periods = periodsSeen.sorted()
      func unitRow(
        _ level: Level, _ id: String, school: String?, hub: String?, teachers: Int, _ p: Int64,
        _ u: UnitAccumulator?
      ) -> Row {
        let u = u ?? UnitAccumulator()
        let denominator = max(teachers, u.activeTeachers)
        return Row(
          level: level, unit: id, school: school, hub: hub, period: label(p),
          teachers: denominator, activeTeachers: u.activeTeachers, events: u.sum.events,
          activeDays: u.sum.activeDays, sessions: u.sum.sessions,
          timeOnTaskSeconds: Double(u.sum.timeOnTask) / 1000, distinctTools: u.tools.count,
          distinctVerbs: u.verbs.count,
          regularity: denominator > 0 ? u.regularitySum / Double(denominator) : nil,
          adoptionRate: denominator > 0 ? Double(u.adopters) / Double(denominator) : nil,
          completionRate: Self.rate(u.sum.completed, u.sum.completionKnown),
          successRate: Self.rate(u.sum.succeeded, u.sum.successKnown),
          meanScaled: u.sum.scaledCount > 0 ? u.sum.scaledSum / Double(u.sum.scaledCount) : nil)
      }
      for s in roster.schools.sorted(by: { $0.id < $1.id }) {
        for p in periods {
          rows.append(
            unitRow(
              .school, s.id, school: s.id, hub: s.hub, teachers: teachersInSchool[s.id] ?? 0, p,
              schoolUnits[UnitKey(unit: s.id, period: p)]))
        }
      }
      for hub in Set(roster.schools.map(\.hub)).sorted() {
        for p in periods {
          rows.append(
            unitRow(
              .hub, hub, school: nil, hub: hub, teachers: teachersInHub[hub] ?? 0, p,
              hubUnits[UnitKey(unit: hub, period: p)]))
        }
      }
    }
    let periodName: String
    switch period {
    case .week: periodName = "week"
    case .all: periodName = "all"
    case .waves(let s):
      periodName =
        "waves starting "
        + s.map { Timestamp.format(millisecondsSinceEpoch: $0) }.joined(
          separator: ", ")
    }
    return Result(
      sessionGapSeconds: sessionGap, maxGapCreditSeconds: credit, adoptionDays: adoptionDays,
      period: periodName, rows: rows, unmatchedActors: unmatched,
      eventsBeforeFirstWave: beforeFirstWave, unknownTimeZones: unknownZones.sorted())
  }

  /// The proleptic Gregorian year of a day since 1970-01-01 (Howard Hinnant's algorithm).
  static func yearOf(day z0: Int) -> Int {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    return yoe + era * 400 + (mp < 10 ? 0 : 1)
  }

  static func rate(_ k: Int, _ n: Int) -> Double? { n > 0 ? Double(k) / Double(n) : nil }

  /// One event's fields that the indicators use, packed (32 bytes).
  struct EventRecord {
    var time: Int64
    var scaled: Double
    var tool: Int32
    var verb: Int32
    var completion: Int8
    var success: Int8
  }

  /// Sorts distinct keys ascending: quicksort (median of three, Hoare partition) over
  /// insertion sort for short ranges, about twice as fast here as the library's merge sort,
  /// which keeps a stability these unique keys do not need. Falls back to the library sort
  /// past a depth of 2·log₂ n (no quadratic case).
  static func sortUnique(_ a: UnsafeMutableBufferPointer<UInt64>) {
    guard a.count > 1 else { return }
    let depthLimit = 2 * (64 - a.count.leadingZeroBitCount)
    var stack: [(lo: Int, hi: Int, depth: Int)] = [(0, a.count - 1, 0)]
    while let range = stack.popLast() {
      var lo = range.lo
      var hi = range.hi
      var depth = range.depth
      while hi - lo > 16 {
        if depth > depthLimit {
          var rest = UnsafeMutableBufferPointer(rebasing: a[lo...hi])
          rest.sort()
          lo = hi
          break
        }
        depth += 1
        let mid = lo + (hi - lo) / 2
        if a[mid] < a[lo] { a.swapAt(mid, lo) }
        if a[hi] < a[lo] { a.swapAt(hi, lo) }
        if a[hi] < a[mid] { a.swapAt(hi, mid) }
        let pivot = a[mid]
        var i = lo
        var j = hi
        while i <= j {
          while a[i] < pivot { i += 1 }
          while a[j] > pivot { j -= 1 }
          if i <= j {
            a.swapAt(i, j)
            i += 1
            j -= 1
          }
        }
        // Loop on the smaller side, keep the larger for later: the stack stays O(log n).
        if j - lo < hi - i {
          stack.append((i, hi, depth))
          hi = j
        } else {
          stack.append((lo, j, depth))
          lo = i
        }
      }
      if hi > lo {
        for k in (lo + 1)...hi {
          let v = a[k]
          var m = k - 1
          while m >= lo && a[m] > v {
            a[m + 1] = a[m]
            m -= 1
          }
          a[m + 1] = v
        }
      }
    }
  }

  /// Sorts each actor's records (`start[a]..<start[a + 1]`) by time, ties in their original
  /// order (the counting sort kept file order). Already ordered actors (the usual export)
  /// cost one check; others sort 64-bit keys `time offset << b | position`, which are
  /// unique, so the plain sort is stable; a comparison sort when the keys do not fit.
  static func sortByTime(
    _ records: inout [EventRecord], start: [Int], minTime: Int64, maxTime: Int64, threads: Int = 1
  ) {
    let actors = start.count - 1
    guard actors > 0 else { return }
    let workers = Swift.min(threads, actors)
    records.withUnsafeMutableBufferPointer { r in
      guard workers > 1, let base = r.baseAddress else {
        sortActors(r, start: start, actors: 0..<actors, minTime: minTime, maxTime: maxTime)
        return
      }
      // Contiguous runs of actors with about equal numbers of events, one per thread: the
      // threads write disjoint ranges of the records.
      var bounds = [0]
      let total = start[actors]
      var a = 0
      for w in 1..<workers {
        let target = total / workers * w
        while a < actors && start[a] < target { a += 1 }
        bounds.append(Swift.max(a, bounds[bounds.count - 1]))
      }
      bounds.append(actors)
      let splits = bounds
      let shared = UnsafeSendable(base: base, count: r.count)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        let all = UnsafeMutableBufferPointer(start: shared.base, count: shared.count)
        sortActors(
          all, start: start, actors: splits[w]..<splits[w + 1], minTime: minTime,
          maxTime: maxTime)
      }
    }
  }

  /// The records' base address, handed to the sorting threads (disjoint ranges each).
  struct UnsafeSendable: @unchecked Sendable {
    let base: UnsafeMutablePointer<EventRecord>
    let count: Int
  }

  /// Sorts the events of `actors` by time (see ``sortByTime(_:start:minTime:maxTime:threads:)``).
  static func sortActors(
    _ r: UnsafeMutableBufferPointer<EventRecord>, start: [Int], actors: Range<Int>,
    minTime: Int64, maxTime: Int64
  ) {
    let span = UInt64(bitPattern: maxTime &- minTime)
    let timeBits = span == 0 ? 0 : 64 - span.leadingZeroBitCount
    var keys: [UInt64] = []
    var scratch: [EventRecord] = []
    for a in actors {
      let lo = start[a]
      let hi = start[a + 1]
      var ordered = true
      var k = lo + 1
      while k < hi {
        if r[k].time < r[k - 1].time {
          ordered = false
          break
        }
        k += 1
      }
      if ordered { continue }
      let count = hi - lo
      let positionBits = 64 - UInt64(count).leadingZeroBitCount
      scratch.removeAll(keepingCapacity: true)
      scratch.append(contentsOf: r[lo..<hi])
      if timeBits + positionBits <= 64 {
        keys.removeAll(keepingCapacity: true)
        for j in 0..<count {
          let offset = UInt64(bitPattern: r[lo + j].time &- minTime)
          keys.append(offset << UInt64(positionBits) | UInt64(j))
        }
        keys.withUnsafeMutableBufferPointer { Self.sortUnique($0) }
        let mask = (UInt64(1) << UInt64(positionBits)) &- 1
        for j in 0..<count { r[lo + j] = scratch[Int(keys[j] & mask)] }
      } else {
        var order = Array(0..<count)
        order.sort {
          scratch[$0].time < scratch[$1].time || (scratch[$0].time == scratch[$1].time && $0 < $1)
        }
        for j in 0..<count { r[lo + j] = scratch[order[j]] }
      }
    }
  }

  @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  /// Week index of a day (days since 1970-01-01): weeks start on Monday 1969-12-29.
  @inline(__always) static func week(ofDay day: Int64) -> Int64 { floorDiv(day + 3, 7) }

  /// `YYYY-Www`, the ISO 8601 week of week index `w`.
  static func isoWeekLabel(_ w: Int64) -> String {
    let monday = Int(w * 7 - 3)
    let thursday = monday + 3
    let year = yearOf(day: thursday)
    let jan1 = Timestamp.daysFromCivil(year, 1, 1)
    let number = (thursday - jan1) / 7 + 1
    return "\(year)-W" + (number < 10 ? "0\(number)" : "\(number)")
  }
}

/// UTC offsets of an IANA time zone over a time range, as a list of transitions.
struct ZoneOffsets: Sendable {
  private var starts: [Int64] = []
  private var offsets: [Int64] = []

  init?(identifier: String, from: Int64, to: Int64) {
    guard let zone = TimeZone(identifier: identifier) else { return nil }
    var t = Date(timeIntervalSince1970: Double(from) / 1000 - 86_400 * 2)
    starts.append(.min)
    offsets.append(Int64(zone.secondsFromGMT(for: t)) * 1000)
    let end = Double(to) / 1000 + 86_400 * 2
    while let next = zone.nextDaylightSavingTimeTransition(after: t),
      next.timeIntervalSince1970 <= end
    {
      starts.append(Int64((next.timeIntervalSince1970 * 1000).rounded()))
      offsets.append(Int64(zone.secondsFromGMT(for: next)) * 1000)
      t = next
    }
  }

  /// The offset in ms at UTC instant `t`.
  @inline(__always) func offset(at t: Int64) -> Int64 {
    if starts.count == 1 { return offsets[0] }
    var lo = 0
    var hi = starts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if starts[mid] <= t { lo = mid } else { hi = mid - 1 }
    }
    return offsets[lo]
  }
}
