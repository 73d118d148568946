/// Optimal mentor-mentee pairs within hubs (schools) or within schools (teachers), by
/// complementarity of area scores.
///
/// ```swift
/// let units = [MentoringUnit(id: "S01", group: "H1", scores: [4.2, 3.9, 4.4]), ...]
/// let matching = MentorMatching(areas: ["A", "B", "C"], capacity: 2, minimumGap: 0.5)
/// let result = try matching.match(units)
/// for pair in result.pairs { print(pair.mentor, "→", pair.mentee, pair.complementarity) }
/// ```
///
/// **Complementarity** of mentor *m* for mentee *e* is `Σₐ wₑₐ·(sₘₐ − sₑₐ)` over the areas
/// where the mentor leads by at least ``minimumGap`` (other areas count 0), with the mentee's
/// priority weights `wₑₐ` (default 1). A pair is *feasible* when both are in the same group
/// (hub, or school for teachers), the pair is not excluded, and at least one area reaches the
/// gap. The matching maximises the total complementarity subject to: each mentee has at most
/// one mentor, each mentor at most ``capacity`` mentees, fixed pairs kept. It is solved exactly
/// per group as an assignment problem (mentees against mentor slots, plus an "unmatched"
/// column per mentee at zero) with ``OptimalAssignment``, never greedily; units are taken in
/// id order, so the result is deterministic.
///
/// **Mentors** are chosen by ``selection``: by default the top third of each group by overall
/// mean (the mean of the unit's area scores), or units above a mean, or a given list.
public struct MentorMatching: Sendable {
  /// How mentors are chosen; every other unit of the group is a mentee.
  public enum Selection: Sendable, Equatable {
    /// The top share (0 < share < 1) of each group by overall mean, at least one mentor in
    /// a group of two or more (ties broken by id).
    case topShare(Double)
    /// Units whose overall mean is at least this value.
    case minimumMean(Double)
    /// Exactly these unit ids.
    case listed(Set<String>)
  }

  /// Area names, in the order of ``MentoringUnit/scores``.
  public var areas: [String]
  /// Mentees per mentor (default 2).
  public var capacity: Int
  /// Smallest lead of the mentor in an area for the area to count (default 0.5 points).
  public var minimumGap: Double
  /// How mentors are chosen (default the top third of each group).
  public var selection: Selection
  /// Priority weight per mentee id and area (default 1).
  public var priorities: [String: [String: Double]]
  /// Pairs that must not be formed, as (mentor, mentee).
  public var exclusions: Set<Pair.Key>
  /// Pairs that must be formed, as (mentor, mentee); they count against the capacity.
  public var fixedPairs: [Pair.Key]

  /// Creates a matching.
  public init(
    areas: [String], capacity: Int = 2, minimumGap: Double = 0.5,
    selection: Selection = .topShare(1.0 / 3), priorities: [String: [String: Double]] = [:],
    exclusions: Set<Pair.Key> = [], fixedPairs: [Pair.Key] = []
  ) {
    self.areas = areas
    self.capacity = capacity
    self.minimumGap = minimumGap
    self.selection = selection
    self.priorities = priorities
    self.exclusions = exclusions
    self.fixedPairs = fixedPairs
  }

  /// A proposed pair and why.
  public struct Pair: Sendable, Codable, Equatable {
    /// A (mentor, mentee) pair of ids.
    public struct Key: Sendable, Codable, Hashable {
      /// Mentor id.
      public let mentor: String
      /// Mentee id.
      public let mentee: String
      /// Creates a key.
      public init(mentor: String, mentee: String) {
        self.mentor = mentor
        self.mentee = mentee
      }
    }
    /// Mentor id.
    public let mentor: String
    /// Mentee id.
    public let mentee: String
    /// Their group (hub or school).
    public let group: String
    /// The pair's complementarity (the objective's term).
    public let complementarity: Double
    /// The areas where the mentor leads by at least the minimum gap, largest weighted gap first.
    public let areas: [AreaGap]
    /// Whether the pair was fixed in advance.
    public let fixed: Bool
  }

  /// One area of a pair's explanation.
  public struct AreaGap: Sendable, Codable, Equatable {
    /// Area name.
    public let area: String
    /// Mentor's score.
    public let mentorScore: Double
    /// Mentee's score.
    public let menteeScore: Double
    /// Mentor minus mentee.
    public let gap: Double
    /// The mentee's priority weight of the area.
    public let weight: Double
  }

  /// A mentee left without a mentor, and why.
  public struct Unmatched: Sendable, Codable, Equatable {
    /// Mentee id.
    public let mentee: String
    /// Group.
    public let group: String
    /// Why, in a sentence.
    public let reason: String
  }

  /// The result of ``match(_:)``.
  public struct Result: Sendable, Codable, Equatable {
    /// Pairs, by group then mentor then mentee id.
    public let pairs: [Pair]
    /// Mentees without a mentor.
    public let unmatched: [Unmatched]
    /// Mentor ids, sorted.
    public let mentors: [String]
    /// Total complementarity of the pairs (the maximised objective).
    public let totalComplementarity: Double
  }

  /// Proposes pairs for `units`.
  ///
  /// - Throws: ``MentoringError`` for a capacity below 1, a negative gap, units whose score
  ///   count differs from ``areas``, duplicate ids, or a fixed pair that names unknown units,
  ///   crosses groups, pairs two mentors, or exceeds a mentor's capacity.
  public func match(_ units: [MentoringUnit]) throws(MentoringError) -> Result {
    guard capacity >= 1 else {
      throw .invalidSetting("capacity must be at least 1, got \(capacity)")
    }
    guard minimumGap >= 0, minimumGap.isFinite else {
      throw .invalidSetting("the minimum gap must be a non-negative number, got \(minimumGap)")
    }
    if case .topShare(let share) = selection, !(share > 0 && share < 1) {
      throw .invalidSetting("the mentor share must be between 0 and 1, got \(share)")
    }
    for (mentee, weights) in priorities {
      for (area, w) in weights where !(w >= 0 && w.isFinite) {
        throw .invalidUnit(
          id: mentee, reason: "has priority \(w) for area \(area); weights must be non-negative")
      }
    }
    var seen = Set<String>()
    for unit in units {
      guard unit.scores.count == areas.count else {
        throw .invalidUnit(
          id: unit.id, reason: "has \(unit.scores.count) scores for \(areas.count) areas")
      }
      guard seen.insert(unit.id).inserted else {
        throw .invalidUnit(id: unit.id, reason: "appears twice")
      }
    }
    let byID = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0) })
    let mentorIDs = chooseMentors(units)
    // Fixed pairs first.
    var load: [String: Int] = [:]
    var fixedMentee: [String: String] = [:]
    for key in fixedPairs {
      guard let mentor = byID[key.mentor], let mentee = byID[key.mentee] else {
        throw .invalidFixedPair(key, reason: "names a unit that is not in the data")
      }
      guard mentor.group == mentee.group else {
        throw .invalidFixedPair(key, reason: "crosses groups (\(mentor.group), \(mentee.group))")
      }
      guard mentorIDs.contains(key.mentor), !mentorIDs.contains(key.mentee) else {
        throw .invalidFixedPair(key, reason: "must pair a mentor with a mentee")
      }
      guard fixedMentee[key.mentee] == nil else {
        throw .invalidFixedPair(key, reason: "gives the mentee a second mentor")
      }
      load[key.mentor, default: 0] += 1
      guard load[key.mentor, default: 0] <= capacity else {
        throw .invalidFixedPair(key, reason: "exceeds the mentor's capacity of \(capacity)")
      }
      fixedMentee[key.mentee] = key.mentor
    }
    var pairs: [Pair] = []
    var unmatched: [Unmatched] = []
    let groups = Dictionary(grouping: units, by: \.group)
    for group in groups.keys.sorted() {
      let members = (groups[group] ?? []).sorted { $0.id < $1.id }
      let mentors = members.filter { mentorIDs.contains($0.id) }
      let mentees = members.filter { !mentorIDs.contains($0.id) }
      for mentee in mentees {
        if let mentorID = fixedMentee[mentee.id], let mentor = byID[mentorID] {
          pairs.append(pair(mentor, mentee, fixed: true))
        }
      }
      let open = mentees.filter { fixedMentee[$0.id] == nil }
      guard !open.isEmpty else { continue }
      // Columns: one per free mentor slot, then one "unmatched" column per mentee.
      var slots: [Int] = []
      for (m, mentor) in mentors.enumerated() {
        slots += Array(repeating: m, count: capacity - load[mentor.id, default: 0])
      }
      let infeasible =
        1.0 + 2
        * open.reduce(0.0) { total, mentee in
          total + mentors.map { complementarity($0, mentee).value }.reduce(0, +)
        }
      var cost: [[Double]] = []
      var value: [[Double]] = []
      for mentee in open {
        let values = mentors.map { mentor -> Double in
          let c = complementarity(mentor, mentee)
          let excluded = exclusions.contains(.init(mentor: mentor.id, mentee: mentee.id))
          return c.feasible && !excluded ? c.value : -1
        }
        value.append(values)
        cost.append(
          slots.map { values[$0] >= 0 ? -values[$0] : infeasible }
            + Array(repeating: 0, count: open.count))
      }
      let assignment = try OptimalAssignment.solve(cost: cost)
      for (e, mentee) in open.enumerated() {
        let column = assignment[e]
        if column < slots.count, value[e][slots[column]] >= 0 {
          pairs.append(pair(mentors[slots[column]], mentee, fixed: false))
        } else {
          unmatched.append(
            Unmatched(mentee: mentee.id, group: group, reason: reason(mentee, mentors, value[e])))
        }
      }
    }
    pairs.sort { ($0.group, $0.mentor, $0.mentee) < ($1.group, $1.mentor, $1.mentee) }
    return Result(
      pairs: pairs, unmatched: unmatched, mentors: mentorIDs.sorted(),
      totalComplementarity: pairs.reduce(0) { $0 + $1.complementarity })
  }

  func chooseMentors(_ units: [MentoringUnit]) -> Set<String> {
    switch selection {
    case .listed(let ids): return ids.intersection(units.map(\.id))
    case .minimumMean(let threshold):
      return Set(units.filter { ($0.overallMean ?? -.infinity) >= threshold }.map(\.id))
    case .topShare(let share):
      var chosen = Set<String>()
      for (_, members) in Dictionary(grouping: units, by: \.group) where members.count >= 2 {
        let ranked = members.sorted {
          let a = $0.overallMean ?? -.infinity
          let b = $1.overallMean ?? -.infinity
          return a != b ? a > b : $0.id < $1.id
        }
        let count = max(1, Int((share * Double(members.count)).rounded(.up)))
        chosen.formUnion(ranked.prefix(min(count, members.count - 1)).map(\.id))
      }
      return chosen
    }
  }

  func weight(_ mentee: MentoringUnit, _ area: Int) -> Double {
    priorities[mentee.id]?[areas[area]] ?? 1
  }

  func complementarity(_ mentor: MentoringUnit, _ mentee: MentoringUnit) -> (
    value: Double, feasible: Bool
  ) {
    guard mentor.group == mentee.group else { return (0, false) }
    var total = 0.0
    var feasible = false
    for a in areas.indices {
      guard let s = mentor.scores[a], let t = mentee.scores[a], s - t >= minimumGap else {
        continue
      }
      feasible = true
      total += weight(mentee, a) * (s - t)
    }
    return (total, feasible)
  }

  func pair(_ mentor: MentoringUnit, _ mentee: MentoringUnit, fixed: Bool) -> Pair {
    var gaps: [AreaGap] = []
    for a in areas.indices {
      guard let s = mentor.scores[a], let t = mentee.scores[a], s - t >= minimumGap else {
        continue
      }
      gaps.append(
        AreaGap(
          area: areas[a], mentorScore: s, menteeScore: t, gap: s - t, weight: weight(mentee, a)))
    }
    gaps.sort { ($0.weight * $0.gap, $1.area) > ($1.weight * $1.gap, $0.area) }
    return Pair(
      mentor: mentor.id, mentee: mentee.id, group: mentor.group,
      complementarity: complementarity(mentor, mentee).value, areas: gaps, fixed: fixed)
  }

  func reason(_ mentee: MentoringUnit, _ mentors: [MentoringUnit], _ values: [Double]) -> String {
    if mentors.isEmpty { return "no mentor in group \(mentee.group)" }
    if values.allSatisfy({ $0 < 0 }) {
      return "no mentor in group \(mentee.group) leads by at least \(minimumGap) in any area"
        + (exclusions.isEmpty ? "" : " (or every such pair is excluded)")
    }
    return "every mentor who could help is at capacity (\(capacity)) with mentees they help more"
  }
}

/// A school (or teacher) with its group and area scores.
public struct MentoringUnit: Sendable, Codable, Equatable {
  /// Unit id.
  public let id: String
  /// Group within which pairs form: the hub for schools, the school for teachers.
  public let group: String
  /// Area scores, in the matching's area order (`nil` when missing).
  public let scores: [Double?]

  /// Creates a unit.
  public init(id: String, group: String, scores: [Double?]) {
    self.id = id
    self.group = group
    self.scores = scores
  }

  /// Mean of the available area scores.
  public var overallMean: Double? {
    let present = scores.compactMap { $0 }
    return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
  }
}

/// A problem with a matching's settings or data.
public enum MentoringError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A setting is out of range.
  case invalidSetting(String)
  /// A unit's data is unusable.
  case invalidUnit(id: String, reason: String)
  /// A fixed pair cannot be kept.
  case invalidFixedPair(MentorMatching.Pair.Key, reason: String)
  /// An assignment problem is malformed.
  case invalidCostMatrix(String)

  /// A full sentence.
  public var description: String {
    switch self {
    case .invalidSetting(let why): return "Invalid mentoring setting: \(why)."
    case .invalidUnit(let id, let why): return "Unit '\(id)' \(why)."
    case .invalidFixedPair(let key, let why):
      return "The fixed pair \(key.mentor) → \(key.mentee) \(why)."
    case .invalidCostMatrix(let why): return "Invalid assignment problem: \(why)."
    }
  }
}
