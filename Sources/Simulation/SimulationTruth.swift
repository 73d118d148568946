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
}
