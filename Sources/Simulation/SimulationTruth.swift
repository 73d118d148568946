/// What generated a simulated programme, and the true values analyses should recover.
public struct SimulationTruth: Sendable, Codable, Equatable {
  /// The seed, when the caller recorded it.
  public var seed: UInt64?
  /// Settings used.
  public var hubCount: Int
  /// Number of schools.
  public var schoolCount: Int
  /// Number of waves.
  public var waveCount: Int
  /// Mean latent growth per wave, γ.
  public var growthPerWave: Double
  /// SD of school random intercepts, τ₀.
  public var schoolInterceptSD: Double
  /// Factor applied to the built-in profiles' latent area means (see ``profiles`` for the
  /// resulting means).
  public var profileSeparation: Double
  /// SD of school random slopes, τ₁.
  public var schoolSlopeSD: Double
  /// SD of school-by-area deviations.
  public var areaDeviationSD: Double
  /// SD of person effects.
  public var respondentSD: Double
  /// SD of person-by-area effects.
  public var respondentAreaSD: Double
  /// Latent offset of each respondent group.
  public var groupOffsets: [String: Double]

  /// A latent maturity profile.
  public struct Profile: Sendable, Codable, Equatable {
    /// Index used in ``School/profile``.
    public var index: Int
    /// Name.
    public var name: String
    /// Share of schools drawn into it.
    public var share: Double
    /// Latent mean per area id.
    public var areaMeans: [String: Double]
  }
  /// The profiles.
  public var profiles: [Profile]

  /// One school's generating values.
  public struct School: Sendable, Codable, Equatable {
    /// School id.
    public var id: String
    /// Hub id.
    public var hub: String
    /// True profile index.
    public var profile: Int
    /// Random intercept u₀.
    public var intercept: Double
    /// Random slope u₁.
    public var slope: Double
  }
  /// The schools.
  public var schools: [School]

  /// Graded-response parameters of one item.
  public struct ItemParameters: Sendable, Codable, Equatable {
    /// Item code.
    public var code: String
    /// Discrimination α.
    public var discrimination: Double
    /// Ordered thresholds b₁ < … < b_{K−1}.
    public var thresholds: [Double]
  }
  /// The items.
  public var items: [ItemParameters]

  /// Mean true teacher area score (observed 1-5 metric) in each wave, over all teachers and
  /// areas, from the realised latent values.
  public var meanTeacherScoreByWave: [Double]
  /// Mean of the wave-to-wave differences of ``meanTeacherScoreByWave``.
  public var meanGrowthPerWave: Double
  /// Expected one-way ANOVA intra-school correlation, ICC(1), of teacher area scores in the
  /// first wave (averaged over areas), including measurement error.
  public var teacherScoreICCFirstWave: Double

  /// How the activity log (`activity.jsonl`) was generated; `nil` when none was.
  public var activity: ActivityModel?

  /// The model of teachers' activity in the learning tools.
  ///
  /// Each wave has a window of ``weeksPerWave`` ISO weeks from ``windowStarts`` (the Monday on
  /// or after 1 September of the wave's school year, local time). In each week teacher *t* of
  /// school *s* is active with probability `logistic(z)` (times 0.7 in a window's first
  /// week), `z = intercept + maturityWeight·L(s,w) + personWeight·v(t) + o(t)`, where `L(s,w)`
  /// is the school's latent level in wave *w* (the mean over areas of its latent maturity, so
  /// activity grows with the school's profile, intercept and slope), `v(t)` the teacher's
  /// person effect in the survey and `o(t) ~ N(0, teacherSD²)` the teacher's own activity
  /// effect. An active week has `1 + Geometric` sessions (each further one with probability
  /// `extraSessionsPerActiveWeek·(1 + p)`), on weekdays by ``weekdayWeights``, in school hours
  /// (60%) or the evening; a session is `launched`, then `1 + Geometric` events (mean
  /// `1 + extraEventsPerSession`) 1 to 15 minutes apart on one tool: experienced, answered,
  /// completed, commented, created or shared (production grows with `p`), or a quiz scored
  /// out of 10 (`passed` at 6, scaled score from `L` and `v`). A teacher uses the first
  /// `1 + ⌊5 · 1.6 · p⌋` tools. Every fifth teacher is identified by `mbox_sha1sum` (also in
  /// the roster), the others by an account on `https://lrs.example.org`.
  public struct ActivityModel: Sendable, Codable, Equatable {
    /// Weeks of activity per wave.
    public var weeksPerWave: Int
    /// First day (a Monday, `YYYY-MM-DD`, local time) of each wave's window.
    public var windowStarts: [String]
    /// Intercept of the weekly activity logit.
    public var intercept: Double
    /// Weight of the school's latent level.
    public var maturityWeight: Double
    /// Weight of the teacher's survey person effect.
    public var personWeight: Double
    /// SD of the teacher's own activity effect.
    public var teacherSD: Double
    /// Probability base of each further session in an active week.
    public var extraSessionsPerActiveWeek: Double
    /// Mean number of events after the first in a session (after `launched`).
    public var extraEventsPerSession: Double
    /// Tools (`context.platform`), in the order teachers take them up.
    public var tools: [String]
    /// Verb IRIs used (ADL vocabulary).
    public var verbs: [String]
    /// Share of sessions on each weekday, Monday first.
    public var weekdayWeights: [Double]
    /// Statements written.
    public var statementCount: Int = 0
    /// Per school: latent level per wave, mean weekly activity probability of its teachers
    /// per wave, statements per wave.
    public var schools: [SchoolActivity] = []
  }
}

extension SimulationTruth {
  /// One school's generating activity values.
  public struct SchoolActivity: Sendable, Codable, Equatable {
    /// School id.
    public var id: String
    /// `L(s,w)`: the mean over areas of the school's latent maturity in each wave.
    public var latentLevelByWave: [Double]
    /// Mean over the school's teachers of the weekly activity probability, per wave.
    public var activeWeekProbabilityByWave: [Double]
    /// Statements written per wave.
    public var statementsByWave: [Int]
  }
}
