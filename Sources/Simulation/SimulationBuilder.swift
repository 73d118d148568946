import Foundation
import Ingest
import MatrixCore

/// The work of one ``ProgrammeSimulator/simulate(instrument:using:)`` call.
struct SimulationBuilder {
  let s: ProgrammeSimulator
  let instrument: Instrument
  let areaIndex: [String: Int]

  init(settings: ProgrammeSimulator, instrument: Instrument) {
    s = settings
    self.instrument = instrument
    var index: [String: Int] = [:]
    for (i, a) in instrument.areas.sorted(by: { $0.order < $1.order }).enumerated() {
      index[a.id] = i
    }
    areaIndex = index
  }

  static let groupOffsets = ["leader": 0.3, "teacher": 0.0, "student": -0.25]
  static let countries = [
    ("EE", "Europe/Tallinn"), ("FI", "Europe/Helsinki"), ("LT", "Europe/Vilnius"),
    ("GE", "Asia/Tbilisi"), ("NO", "Europe/Oslo"),
  ]

  /// Latent profile means by area position (patterns repeat after 8 areas).
  static let profilePatterns: [(name: String, share: Double, base: Double, pattern: [Double])] = [
    ("emerging", 0.35, -0.7, [0.0, 0.0, 0.4, 0.0, -0.1, -0.2, -0.2, 0.0]),
    ("infrastructure-led", 0.35, 0.0, [0.0, 0.0, 0.7, -0.2, -0.2, -0.3, -0.3, -0.2]),
    ("pedagogy-led", 0.30, 0.5, [0.1, 0.2, -0.2, 0.2, 0.3, 0.3, 0.2, 0.3]),
  ]

  mutating func run(using rng: inout SplitMix64) -> SimulatedProgramme {
    let areas = instrument.areas.sorted { $0.order < $1.order }
    let areaCount = areas.count
    // Profiles.
    var profiles: [SimulationTruth.Profile] = []
    for (k, p) in Self.profilePatterns.enumerated() {
      var means: [String: Double] = [:]
      for (ai, a) in areas.enumerated() {
        means[a.id] = s.profileSeparation * (p.base + p.pattern[ai % 8])
      }
      profiles.append(.init(index: k, name: p.name, share: p.share, areaMeans: means))
    }
    // Items: graded-response parameters.
    var itemParams: [SimulationTruth.ItemParameters] = []
    for item in instrument.items {
      let k = instrument.scale(item.scale)?.options.count ?? 5
      let alpha = 1.2 + 1.2 * rng.nextUniform()
      let shift = 0.25 * rng.nextNormal()
      let thresholds = (0..<(k - 1)).map { j -> Double in
        let t = k > 2 ? -1.6 + 2.8 * Double(j) / Double(k - 2) : 0
        return t + shift
      }
      itemParams.append(.init(code: item.code, discrimination: alpha, thresholds: thresholds))
    }
    // Schools.
    var schools: [SimulationTruth.School] = []
    var rosterSchools: [Roster.School] = []
    var areaDeviation: [[Double]] = []
    var optionalChosen: [[Bool]] = []
    for si in 0..<s.schoolCount {
      let hubIndex = si % s.hubCount
      let hub = "H\(hubIndex + 1)"
      let u = rng.nextUniform()
      var acc = 0.0
      var profile = Self.profilePatterns.count - 1
      for (k, p) in Self.profilePatterns.enumerated() {
        acc += p.share
        if u < acc {
          profile = k
          break
        }
      }
      let id = String(format: "S%03d", si + 1)
      schools.append(
        .init(
          id: id, hub: hub, profile: profile,
          intercept: s.schoolInterceptSD * rng.nextNormal(),
          slope: s.schoolSlopeSD * rng.nextNormal()))
      areaDeviation.append((0..<areaCount).map { _ in s.areaDeviationSD * rng.nextNormal() })
      optionalChosen.append(
        instrument.items.map { !$0.optional || rng.nextUniform() < s.optionalItemRate })
      let (country, zone) = Self.countries[hubIndex % Self.countries.count]
      rosterSchools.append(
        Roster.School(
          id: id, name: "School \(si + 1)", hub: hub, country: country, timeZone: zone,
          size: 150 + Int(rng.next() % 850), type: si % 3 == 0 ? "primary" : "secondary"))
    }
    // Persons kept across waves: teachers and leaders.
    struct Person {
      let id: String
      let group: String
      let effect: Double
      let areaEffects: [Double]
    }
    var staff: [[Person]] = []
    var rosterTeachers: [Roster.Teacher] = []
    for si in 0..<s.schoolCount {
      var people: [Person] = []
      for j in 0..<s.teachersPerSchool {
        let id = String(format: "T%03d%02d", si + 1, j + 1)
        people.append(
          Person(
            id: id, group: "teacher", effect: s.respondentSD * rng.nextNormal(),
            areaEffects: (0..<areaCount).map { _ in s.respondentAreaSD * rng.nextNormal() }))
        rosterTeachers.append(
          Roster.Teacher(
            id: id, school: schools[si].id,
            xapiAccount: "https://lrs.example.org|\(id.lowercased())",
            mboxSHA1: nil, lmsUserID: String(10_000 + si * 100 + j)))
      }
      for j in 0..<s.leadersPerSchool {
        people.append(
          Person(
            id: String(format: "L%03d%02d", si + 1, j + 1), group: "leader",
            effect: s.respondentSD * rng.nextNormal(),
            areaEffects: (0..<areaCount).map { _ in s.respondentAreaSD * rng.nextNormal() }))
      }
      staff.append(people)
    }
    // Answers, written as long CSV, then read back through the validating reader.
    var csv = CSVText()
    csv.line([
      "school", "respondent", "group", "wave", "hub", "teacher", "submitted_at", "item", "value",
    ])
    let itemsByGroup = Dictionary(grouping: instrument.items.indices) { _ in 0 }[0] ?? []
    var trueTeacherScores = [[[Double]]](repeating: [], count: s.waveCount)  // wave -> rows of [area score]
    var trueTeacherSchool = [[Int]](repeating: [], count: s.waveCount)
    var errorVariance = [[[Double]]](repeating: [], count: s.waveCount)
    for w in 0..<s.waveCount {
      let wave = String(w + 1)
      for si in 0..<s.schoolCount {
        let school = schools[si]
        let eta = (0..<areaCount).map { a -> Double in
          profiles[school.profile].areaMeans[areas[a].id, default: 0] + school.intercept
            + areaDeviation[si][a] + (s.growthPerWave + school.slope) * Double(w)
        }
        var respondents: [Person] = staff[si]
        for j in 0..<s.studentsPerSchool {
          respondents.append(
            Person(
              id: String(format: "P%02d", j + 1), group: "student",
              effect: s.respondentSD * rng.nextNormal(),
              areaEffects: (0..<areaCount).map { _ in s.respondentAreaSD * rng.nextNormal() }))
        }
        let day = Timestamp.daysFromCivil(s.firstYear + w, 10, 1)
        for (ri, person) in respondents.enumerated() {
          let respondentID = String(format: "r%03d", ri + 1)
          let offset = Self.groupOffsets[person.group] ?? 0
          let submitted =
            Int64(day + Int(rng.next() % 30)) * 86_400_000
            + Int64(rng.next() % 86_400) * 1000
          let stamp = Timestamp.format(millisecondsSinceEpoch: submitted)
          var trueSum = [Double](repeating: 0, count: areaCount)
          var varSum = [Double](repeating: 0, count: areaCount)
          var n = [Double](repeating: 0, count: areaCount)
          for i in itemsByGroup {
            let item = instrument.items[i]
            guard item.groups.contains(person.group), optionalChosen[si][i], item.targetOf == nil,
              let a = areaIndex[item.area], let scale = instrument.scale(item.scale)
            else { continue }
            let theta = eta[a] + offset + person.effect + person.areaEffects[a]
            let params = itemParams[i]
            let probs = Self.categoryProbabilities(theta: theta, params)
            var mean = 0.0
            var second = 0.0
            for (k, p) in probs.enumerated() {
              let score = scale.options[k].score
              mean += p * score
              second += p * score * score
            }
            trueSum[a] += mean
            varSum[a] += second - mean * mean
            n[a] += 1
            // Draw the category.
            var u = rng.nextUniform()
            var category = probs.count - 1
            for (k, p) in probs.enumerated() {
              if u < p {
                category = k
                break
              }
              u -= p
            }
            if item.reverse { category = probs.count - 1 - category }
            let m = rng.nextUniform()
            let value: String
            if m < s.skipRate {
              continue
            } else if m < s.skipRate + s.notApplicableRate,
              let na = scale.missingCodes.first(where: { $0.kind == .notApplicable })
            {
              value = na.value
            } else if m < s.skipRate + s.notApplicableRate + s.preferNotToSayRate,
              let pns = scale.missingCodes.first(where: { $0.kind == .preferNotToSay })
            {
              value = pns.value
            } else {
              value = scale.options[category].value
            }
            csv.line([
              school.id, respondentID, person.group, wave, school.hub,
              person.group == "teacher" ? person.id : "", stamp, item.code, value,
            ])
          }
          if person.group == "teacher" {
            trueTeacherScores[w].append(
              (0..<areaCount).map { n[$0] > 0 ? trueSum[$0] / n[$0] : .nan })
            errorVariance[w].append(
              (0..<areaCount).map { n[$0] > 0 ? varSum[$0] / (n[$0] * n[$0]) : .nan })
            trueTeacherSchool[w].append(si)
          }
        }
      }
    }
    var roster = Roster(schools: rosterSchools, teachers: rosterTeachers)
    let bytes = csv.bytes
    // The simulator's own output must validate cleanly; a failure here is our bug.
    let table: SurveyTable
    do {
      let result = try SurveyReader(maxErrors: 1).read(
        source: MemoryByteSource(bytes, name: "simulated responses"), instrument: instrument,
        roster: roster)
      precondition(
        result.report.isClean, "simulated responses failed validation: \(result.report.text)")
      table = result.table
    } catch {
      preconditionFailure("simulated responses could not be read: \(error)")
    }
    let means = trueTeacherScores.map { rows -> Double in
      let values = rows.flatMap { $0 }.filter(\.isFinite)
      return values.reduce(0, +) / Double(max(values.count, 1))
    }
    var growth = 0.0
    if let first = means.first, let last = means.last, means.count > 1 {
      growth = (last - first) / Double(means.count - 1)
    }
    let icc = Self.expectedICC(
      scores: trueTeacherScores[0], errors: errorVariance[0],
      schools: trueTeacherSchool[0], areaCount: areaCount)
    // Activity logs, drawn after every answer.
    var activityBytes: [UInt8] = []
    var activityCount = 0
    var activityModel: SimulationTruth.ActivityModel?
    if s.activityLog {
      var model = ActivityGenerator.model(s)
      var level = [[Double]]()
      for si in 0..<s.schoolCount {
        let school = schools[si]
        level.append(
          (0..<s.waveCount).map { w in
            (0..<areaCount).reduce(0.0) { sum, a in
              sum + profiles[school.profile].areaMeans[areas[a].id, default: 0]
                + school.intercept + areaDeviation[si][a] + (s.growthPerWave + school.slope)
                * Double(w)
            } / Double(max(areaCount, 1))
          })
      }
      var teachers: [ActivityGenerator.Teacher] = []
      var k = 0
      for si in 0..<s.schoolCount {
        for (j, person) in staff[si].enumerated() where person.group == "teacher" {
          let sum = j % 5 == 4 ? ActivityGenerator.mboxSum(&rng) : nil
          if let sum { roster.teachers[k].mboxSHA1 = sum }
          teachers.append(
            .init(id: person.id, school: si, personEffect: person.effect, mboxSHA1: sum))
          k += 1
        }
      }
      let generated = ActivityGenerator(s: s, model: model).generate(
        teachers: teachers, schoolIDs: schools.map(\.id), hubs: schools.map(\.hub),
        level: level, zones: rosterSchools.map(\.timeZone), using: &rng)
      activityBytes = generated.bytes
      activityCount = generated.count
      model.statementCount = generated.count
      model.schools = generated.schools
      activityModel = model
    }
    var truth = SimulationTruth(
      seed: nil, hubCount: s.hubCount, schoolCount: s.schoolCount, waveCount: s.waveCount,
      growthPerWave: s.growthPerWave, schoolInterceptSD: s.schoolInterceptSD,
      profileSeparation: s.profileSeparation, schoolSlopeSD: s.schoolSlopeSD, areaDeviationSD: s.areaDeviationSD,
      respondentSD: s.respondentSD, respondentAreaSD: s.respondentAreaSD,
      groupOffsets: Self.groupOffsets, profiles: profiles, schools: schools, items: itemParams,
      meanTeacherScoreByWave: means, meanGrowthPerWave: growth, teacherScoreICCFirstWave: icc)
    truth.activity = activityModel
    return SimulatedProgramme(
      instrument: instrument, roster: roster, responses: table, truth: truth,
      activity: activityBytes, activityStatementCount: activityCount)
  }

  /// Graded response model: probabilities of each category given θ.
  static func categoryProbabilities(theta: Double, _ p: SimulationTruth.ItemParameters) -> [Double]
  {
    var atLeast = [1.0]
    for b in p.thresholds {
      atLeast.append(1 / (1 + Foundation.exp(-p.discrimination * (theta - b))))
    }
    atLeast.append(0)
    return (0..<(atLeast.count - 1)).map { max(0, atLeast[$0] - atLeast[$0 + 1]) }
  }

  /// Expected ICC(1) of observed teacher area scores: the one-way ANOVA decomposition of the
  /// true scores, with the measurement-error variance added to both mean squares.
  static func expectedICC(scores: [[Double]], errors: [[Double]], schools: [Int], areaCount: Int)
    -> Double
  {
    var iccs: [Double] = []
    for a in 0..<areaCount {
      // Arrays indexed by school (not a dictionary), so that sums run in a fixed order and
      // the same seed gives the same bits.
      var bySchool = [[Double]](repeating: [], count: (schools.max() ?? -1) + 1)
      var err: [Double] = []
      for (r, row) in scores.enumerated() where row[a].isFinite {
        bySchool[schools[r]].append(row[a])
        err.append(errors[r][a])
      }
      let groups = bySchool.filter { !$0.isEmpty }
      guard groups.count > 1 else { continue }
      let n = groups.map { Double($0.count) }
      let total = n.reduce(0, +)
      let grand = groups.flatMap { $0 }.reduce(0, +) / total
      var ssb = 0.0
      var ssw = 0.0
      for g in groups {
        let m = g.reduce(0, +) / Double(g.count)
        ssb += Double(g.count) * (m - grand) * (m - grand)
        ssw += g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      }
      let k = Double(groups.count)
      let n0 = (total - n.reduce(0) { $0 + $1 * $1 } / total) / (k - 1)
      let errorVariance = err.reduce(0, +) / Double(err.count)
      let msb = ssb / (k - 1) + errorVariance
      let msw = ssw / (total - k) + errorVariance
      iccs.append((msb - msw) / (msb + (n0 - 1) * msw))
    }
    return iccs.reduce(0, +) / Double(max(iccs.count, 1))
  }
}

/// A minimal CSV line builder for ids and codes that never need quoting.
struct CSVText {
  var bytes: [UInt8] = []
  mutating func line(_ fields: [String]) {
    for (i, f) in fields.enumerated() {
      if i > 0 { bytes.append(UInt8(ascii: ",")) }
      bytes.append(contentsOf: f.utf8)
    }
    bytes.append(UInt8(ascii: "\n"))
  }
}
