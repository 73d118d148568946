import Clustering
import Ingest
import MatrixCore
import Mentoring
import Scoring
import Simulation
import Testing

/// Acceptance (issue 9): on the simulator, mentors come from the advanced profile.
///
/// The pipeline is the one `lae analyze` runs: a simulated programme is scored, school area
/// scores (all respondent groups pooled) are taken in the latest wave, and ``MentorMatching``
/// proposes pairs within hubs with its defaults (the top third of each hub by overall mean
/// are mentors, capacity 2, a lead of at least 0.5 points per matched area). The advanced
/// profile is the generating profile with the highest latent mean ("pedagogy-led" in
/// `truth.json`), and, as a researcher would find it without the truth, the k-means profile
/// (k = 3, as the report) with the highest mean centre.
@Suite("Mentors on the simulator", .serialized)
struct MentorsFromAdvancedProfileTests {
  struct Outcome {
    let mentors: [String]
    let fromTrueAdvanced: Int
    let fromClusterAdvanced: Int
    let advancedShareOfSchools: Double
    /// Mentors that advanced schools could be at most: per hub, the smaller of the hub's
    /// mentors and its advanced schools (truth, then k-means).
    let trueAdvancedBound: Int
    let clusterAdvancedBound: Int
  }

  static func run(seed: UInt64) throws -> Outcome {
    var simulator = ProgrammeSimulator()
    simulator.schoolCount = 60
    simulator.hubCount = 4
    simulator.waveCount = 1
    simulator.studentsPerSchool = 0
    simulator.activityLog = false
    var rng = SplitMix64(seed: seed)
    let programme = try simulator.simulate(
      instrument: try Instrument.bundled("school-self-reflection"), using: &rng)
    let scores = AreaScorer().score(programme.responses)
    let levels: [ScoreAggregation.Level] = [.hub, .school, .wave]
    let rows = ScoreAggregation(levels: levels, defaultThreshold: 0)
      .aggregate(ScoreSummary(scores, levels: levels))
      .filter { $0.cell["wave"] == String(simulator.waveCount) }
    var bySchool: [String: (hub: String, scores: [String: Double])] = [:]
    for r in rows {
      guard let school = r.cell["school"], let hub = r.cell["hub"], let mean = r.mean else {
        continue
      }
      bySchool[school, default: (hub, [:])].scores[r.area] = mean
    }
    let ids = bySchool.keys.sorted()
    let units = ids.map { id in
      MentoringUnit(
        id: id, group: bySchool[id]!.hub, scores: scores.areas.map { bySchool[id]!.scores[$0] })
    }
    let result = try MentorMatching(areas: scores.areas).match(units)
    let mentors = Array(Set(result.pairs.map(\.mentor))).sorted()
    // The generating advanced profile.
    let truth = programme.truth
    let advanced = truth.profiles.max { a, b in
      a.areaMeans.values.reduce(0, +) < b.areaMeans.values.reduce(0, +)
    }!.index
    let profileOf = Dictionary(uniqueKeysWithValues: truth.schools.map { ($0.id, $0.profile) })
    // k-means profiles of the schools with every area scored.
    let complete = ids.filter { id in scores.areas.allSatisfy { bySchool[id]!.scores[$0] != nil } }
    let data = Matrix(rows: complete.count, columns: scores.areas.count) { i, j in
      bySchool[complete[i]]!.scores[scores.areas[j]]!
    }
    var krng = SplitMix64(seed: 2024)
    let fit = try KMeans(clusterCount: 3, startCount: 20).fit(data, using: &krng)
    let centreMeans = (0..<3).map { c in
      (0..<scores.areas.count).reduce(0.0) { $0 + fit.centers[c, $1] }
    }
    let top = centreMeans.indices.max { centreMeans[$0] < centreMeans[$1] }!
    let clusterOf = Dictionary(uniqueKeysWithValues: zip(complete, fit.assignments))
    var trueBound = 0
    var clusterBound = 0
    let hubs = Set(units.map(\.group))
    for hub in hubs {
      let members = units.filter { $0.group == hub }.map(\.id)
      let hubMentors = result.pairs.filter { $0.group == hub }.map(\.mentor)
      let count = Set(hubMentors).count
      trueBound += min(count, members.filter { profileOf[$0] == advanced }.count)
      clusterBound += min(count, members.filter { clusterOf[$0] == top }.count)
    }
    return Outcome(
      mentors: mentors,
      fromTrueAdvanced: mentors.filter { profileOf[$0] == advanced }.count,
      fromClusterAdvanced: mentors.filter { clusterOf[$0] == top }.count,
      advancedShareOfSchools: Double(truth.schools.filter { $0.profile == advanced }.count)
        / Double(truth.schools.count), trueAdvancedBound: trueBound,
      clusterAdvancedBound: clusterBound)
  }

  /// Mentors are the top third of each hub by overall mean, while the advanced profile is
  /// drawn for each school with probability 0.3, so its share of a programme varies (13% to
  /// 45% over these seeds) and where a hub has fewer advanced schools than mentor places the
  /// places go to the best other schools: the share of mentors from the advanced profile is
  /// capped by the data, not by the matching. The acceptance is therefore measured against
  /// that cap: of the mentor places that advanced schools could fill (per hub, the smaller
  /// of its mentors and its advanced schools), at least 85% are filled by them (measured
  /// over eight seeds of 60 schools in 4 hubs: 88% with the generating profiles; the misses
  /// are advanced schools with a low random intercept, SD 0.35, overtaken by
  /// infrastructure-led schools with a high one, plus sampling noise in the scores), and at
  /// least 95% with the k-means profiles a researcher would find (measured: 99%). Raw shares,
  /// also checked: 69% of mentors are from the advanced generating profile, more than twice
  /// its 30% share of schools, and 81% from the top k-means profile (at least 75%). The
  /// programme is simulated with one wave and no students to keep the test at a few seconds
  /// in a debug build; mentoring uses one wave only.
  @Test func mentorsComeFromTheAdvancedProfile() throws {
    var mentors = 0
    var fromTruth = 0
    var fromClusters = 0
    var truthBound = 0
    var clusterBound = 0
    var advancedSchools = 0.0
    let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]
    for seed in seeds {
      let o = try Self.run(seed: seed)
      print(
        "seed \(seed): \(o.mentors.count) mentors, \(o.fromTrueAdvanced) from the advanced "
          + "profile (at most \(o.trueAdvancedBound) possible), \(o.fromClusterAdvanced) from the "
          + "top k-means profile (at most \(o.clusterAdvancedBound)); advanced share of schools "
          + "\(o.advancedShareOfSchools)")
      #expect(o.mentors.count >= 10)
      mentors += o.mentors.count
      fromTruth += o.fromTrueAdvanced
      fromClusters += o.fromClusterAdvanced
      truthBound += o.trueAdvancedBound
      clusterBound += o.clusterAdvancedBound
      advancedSchools += o.advancedShareOfSchools / Double(seeds.count)
    }
    let ofPossibleTruth = Double(fromTruth) / Double(truthBound)
    let ofPossibleClusters = Double(fromClusters) / Double(clusterBound)
    let truthShare = Double(fromTruth) / Double(mentors)
    let clusterShare = Double(fromClusters) / Double(mentors)
    print(
      "overall: \(ofPossibleTruth) (truth) and \(ofPossibleClusters) (k-means) of the places "
        + "advanced schools could fill; raw shares \(truthShare) and \(clusterShare); advanced "
        + "schools \(advancedSchools)")
    #expect(ofPossibleTruth >= 0.85)
    #expect(ofPossibleClusters >= 0.95)
    #expect(truthShare >= 2 * advancedSchools)
    #expect(clusterShare >= 0.75)
  }
}
