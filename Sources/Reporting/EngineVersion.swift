/// The version of the LearningAnalytics engine (library and `lae`).
public enum EngineVersion {
  /// Semantic version of this build.
  public static let string = "0.1.0"
}
