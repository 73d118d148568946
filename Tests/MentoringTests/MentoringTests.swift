import Foundation
import MatrixCore
import Testing
import _TestSupport

@testable import Mentoring

@Suite("Optimal assignment against scipy")
struct OptimalAssignmentTests {
  static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/mentoring/assignments.csv")

  @Test func sameOptimumAsLinearSumAssignment() throws {
    let lines = try String(contentsOf: Self.file, encoding: .utf8).split(separator: "\n")
      .dropFirst()
    #expect(lines.count == 7)
    for line in lines {
      let f = line.split(separator: ",")
      let n = Int(f[1]) ?? 0
      let m = Int(f[2]) ?? 0
      let flat = f[3].split(separator: ";").map { Double($0) ?? .nan }
      let cost = (0..<n).map { i in Array(flat[(i * m)..<((i + 1) * m)]) }
      let assignment = try OptimalAssignment.solve(cost: cost)
      #expect(Set(assignment).count == n && assignment.allSatisfy { (0..<m).contains($0) })
      let total = (0..<n).reduce(0.0) { $0 + cost[$1][assignment[$1]] }
      let optimum = Double(f[4]) ?? .nan
      #expect(
        approximatelyEqual(total, optimum, relativeTolerance: 1e-12, absoluteTolerance: 1e-9),
        "case \(f[0]): \(total) vs scipy \(optimum)")
    }
  }

  @Test func badMatricesAreErrors() throws {
    #expect(throws: MentoringError.self) { try OptimalAssignment.solve(cost: [[1], [2]]) }
    #expect(throws: MentoringError.self) { try OptimalAssignment.solve(cost: [[1, 2], [3]]) }
    #expect(throws: MentoringError.self) { try OptimalAssignment.solve(cost: [[.nan, 1]]) }
    #expect(try OptimalAssignment.solve(cost: []) == [])
  }
}

@Suite("Mentor matching")
struct MentorMatchingTests {
  /// Random units in `groups` groups with `areas` area scores on 1...5 (some missing).
  func units(_ count: Int, groups: Int, areas: Int, seed: UInt64) -> [MentoringUnit] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { i in
      let level = 1.5 + 3 * Double(rng.next() % 1000) / 1000
      let scores: [Double?] = (0..<areas).map { _ in
        if rng.next() % 15 == 0 { return nil }
        return min(5, max(1, level + Double(Int(rng.next() % 200) - 100) / 100))
      }
      return MentoringUnit(
        id: String(format: "U%02d", i), group: "H\(i % groups)", scores: scores)
    }
  }

  /// The best total over every assignment of mentees to a mentor or none, within capacity.
  func bruteForce(_ matching: MentorMatching, _ units: [MentoringUnit]) -> Double {
    let mentors = matching.chooseMentors(units)
    var best = 0.0
    for (_, members) in Dictionary(grouping: units, by: \.group) {
      let ms = members.filter { mentors.contains($0.id) }
      let es = members.filter { !mentors.contains($0.id) }
      var groupBest = 0.0
      var load = [Int](repeating: 0, count: ms.count)
      func search(_ e: Int, _ total: Double) {
        if e == es.count {
          groupBest = max(groupBest, total)
          return
        }
        search(e + 1, total)  // unmatched
        for (m, mentor) in ms.enumerated() where load[m] < matching.capacity {
          let c = matching.complementarity(mentor, es[e])
          let excluded = matching.exclusions.contains(.init(mentor: mentor.id, mentee: es[e].id))
          guard c.feasible, !excluded else { continue }
          load[m] += 1
          search(e + 1, total + c.value)
          load[m] -= 1
        }
      }
      search(0, 0)
      best += groupBest
    }
    return best
  }

  @Test(arguments: Array(testSeeds.prefix(12)))
  func optimalAgainstBruteForceAndWithinConstraints(seed: UInt64) throws {
    let data = units(14, groups: 2, areas: 4, seed: seed)
    for capacity in [1, 2] {
      let matching = MentorMatching(
        areas: ["A", "B", "C", "D"], capacity: capacity, minimumGap: 0.4,
        exclusions: [.init(mentor: "U00", mentee: "U02")])
      let result = try matching.match(data)
      #expect(
        approximatelyEqual(
          result.totalComplementarity, bruteForce(matching, data), relativeTolerance: 1e-12,
          absoluteTolerance: 1e-12), "seed \(seed) capacity \(capacity)")
      let group = Dictionary(uniqueKeysWithValues: data.map { ($0.id, $0.group) })
      var load: [String: Int] = [:]
      for pair in result.pairs {
        #expect(group[pair.mentor] == group[pair.mentee])
        #expect(result.mentors.contains(pair.mentor) && !result.mentors.contains(pair.mentee))
        #expect(!(pair.mentor == "U00" && pair.mentee == "U02"))
        #expect(!pair.areas.isEmpty && pair.areas.allSatisfy { $0.gap >= 0.4 })
        load[pair.mentor, default: 0] += 1
      }
      #expect(load.values.allSatisfy { $0 <= capacity })
      #expect(Set(result.pairs.map(\.mentee)).count == result.pairs.count)
      // Every mentee is either paired or reported, once.
      let mentees = data.map(\.id).filter { !result.mentors.contains($0) }
      #expect(Set(result.pairs.map(\.mentee) + result.unmatched.map(\.mentee)) == Set(mentees))
      #expect(result.pairs.count + result.unmatched.count == mentees.count)
      // Deterministic: the same input (in any order) gives the same result.
      #expect(try matching.match(data.reversed()) == result)
    }
  }

  @Test func explainsPairsAndUnmatched() throws {
    let data = [
      MentoringUnit(id: "S1", group: "H", scores: [4.8, 4.5, 3.0]),
      MentoringUnit(id: "S2", group: "H", scores: [2.0, 4.4, 3.1]),
      MentoringUnit(id: "S3", group: "H", scores: [4.7, 4.6, 4.9]),
      MentoringUnit(id: "S4", group: "K", scores: [1.0, 1.0, 1.0]),
    ]
    let matching = MentorMatching(
      areas: ["A", "B", "C"], capacity: 1, minimumGap: 0.5, selection: .listed(["S1"]),
      priorities: ["S2": ["A": 2]])
    let result = try matching.match(data)
    #expect(result.mentors == ["S1"])
    #expect(result.pairs.count == 1)
    let pair = try #require(result.pairs.first)
    #expect(pair.mentor == "S1" && pair.mentee == "S2")
    #expect(pair.areas.map(\.area) == ["A"])
    #expect(approximatelyEqual(pair.complementarity, 2 * 2.8, relativeTolerance: 1e-12))
    let reasons = Dictionary(uniqueKeysWithValues: result.unmatched.map { ($0.mentee, $0.reason) })
    #expect(reasons["S3"]?.contains("leads by at least 0.5") == true)
    #expect(reasons["S4"] == "no mentor in group K")
  }

  @Test func fixedPairsCountAgainstCapacity() throws {
    let data = units(9, groups: 1, areas: 3, seed: 5)
    let mentors = MentorMatching(areas: ["A", "B", "C"]).chooseMentors(data)
    let mentor = try #require(mentors.sorted().first)
    let mentee = try #require(data.map(\.id).filter { !mentors.contains($0) }.first)
    let matching = MentorMatching(
      areas: ["A", "B", "C"], capacity: 1, minimumGap: 0,
      fixedPairs: [.init(mentor: mentor, mentee: mentee)])
    let result = try matching.match(data)
    #expect(result.pairs.contains { $0.mentor == mentor && $0.mentee == mentee && $0.fixed })
    #expect(result.pairs.filter { $0.mentor == mentor }.count == 1)
    // A fixed pair across groups, of two mentors, or over capacity is a clear error.
    let bad = MentorMatching(
      areas: ["A", "B", "C"], capacity: 1,
      fixedPairs: [.init(mentor: mentor, mentee: mentee), .init(mentor: mentor, mentee: "U99")])
    #expect(throws: MentoringError.self) { try bad.match(data) }
    #expect(throws: MentoringError.self) {
      try MentorMatching(areas: ["A", "B", "C"], capacity: 0).match(data)
    }
    #expect(throws: MentoringError.self) {
      try MentorMatching(areas: ["A"]).match(data)  // 3 scores for 1 area
    }
  }

  @Test func topShareChoosesTheStrongestPerGroup() throws {
    let data = (0..<6).map { i in
      MentoringUnit(id: "S\(i)", group: "H", scores: [Double(i), Double(i)])
    }
    let mentors = MentorMatching(areas: ["A", "B"]).chooseMentors(data)
    #expect(mentors == ["S5", "S4"])
    #expect(
      MentorMatching(areas: ["A", "B"], selection: .minimumMean(3)).chooseMentors(data)
        == ["S3", "S4", "S5"])
  }
}
