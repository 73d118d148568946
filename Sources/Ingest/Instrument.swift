import Foundation

/// A survey instrument: areas, items, respondent groups, response scales and a level scheme,
/// described as data (JSON) rather than code.
///
/// ```swift
/// let instrument = try Instrument.load(from: "Fixtures/instruments/school-self-reflection.json")
/// instrument.items.count; instrument.area(of: "C10")?.name
/// ```
///
/// Item codes are opaque identifiers that stay stable across versions (numbering has gaps:
/// C1, C2, C5), never positions. See `Fixtures/instruments/README.md` for the schema.
public struct Instrument: Codable, Sendable, Equatable {
  /// Stable identifier, e.g. `school-self-reflection`.
  public var id: String
  /// Version of the instrument definition.
  public var version: String
  /// Human-readable name.
  public var name: String
  /// The framework it is modelled on (`DigCompOrg`, `DigCompEdu`, `DigitalMirror`, or custom).
  public var framework: String?
  /// Respondent groups who answer (school leaders, teachers, students...).
  public var groups: [RespondentGroup]
  /// Areas (or domains), in report order.
  public var areas: [Area]
  /// Response scales referred to by items.
  public var scales: [ResponseScale]
  /// Items (statements or indicators).
  public var items: [Item]
  /// How to turn scores into maturity levels; `nil` when the instrument defines none.
  public var levelScheme: LevelScheme?

  /// Creates an instrument from its parts; ``validate(path:)`` checks the references.
  public init(
    id: String, version: String, name: String, framework: String? = nil,
    groups: [RespondentGroup], areas: [Area], scales: [ResponseScale], items: [Item],
    levelScheme: LevelScheme? = nil
  ) {
    self.id = id
    self.version = version
    self.name = name
    self.framework = framework
    self.groups = groups
    self.areas = areas
    self.scales = scales
    self.items = items
    self.levelScheme = levelScheme
  }

  /// A group of respondents (e.g. `teacher`).
  public struct RespondentGroup: Codable, Sendable, Equatable {
    /// Identifier as it appears in response files (e.g. `leader`, `teacher`, `student`).
    public var id: String
    /// Display name.
    public var name: String
    /// Creates a group.
    public init(id: String, name: String) {
      self.id = id
      self.name = name
    }
  }

  /// An area (or domain) grouping items.
  public struct Area: Codable, Sendable, Equatable {
    /// Identifier (e.g. `A`, `1`, `pedagogy`).
    public var id: String
    /// Display name.
    public var name: String
    /// Position in reports.
    public var order: Int
    /// Parent area, for splits such as "Part 1 / Part 2".
    public var parent: String?
    /// Creates an area.
    public init(id: String, name: String, order: Int, parent: String? = nil) {
      self.id = id
      self.name = name
      self.order = order
      self.parent = parent
    }
  }

  /// One item.
  public struct Item: Codable, Sendable, Equatable {
    /// The item code, e.g. `C10` (opaque; gaps allowed).
    public var code: String
    /// The area it belongs to.
    public var area: String
    /// Short text of the statement.
    public var text: String?
    /// The groups that answer it.
    public var groups: [String]
    /// Whether a school may leave it out (optional items); core items are always asked.
    public var optional: Bool
    /// The response scale's id.
    public var scale: String
    /// Whether it is reverse keyed (score becomes `min + max − score`).
    public var reverse: Bool
    /// Weight in area scores (default 1).
    public var weight: Double?
    /// For a target-level item: the code of the item whose target it states.
    public var targetOf: String?

    /// Creates an item.
    public init(
      code: String, area: String, text: String? = nil, groups: [String], optional: Bool = false,
      scale: String, reverse: Bool = false, weight: Double? = nil, targetOf: String? = nil
    ) {
      self.code = code
      self.area = area
      self.text = text
      self.groups = groups
      self.optional = optional
      self.scale = scale
      self.reverse = reverse
      self.weight = weight
      self.targetOf = targetOf
    }

    enum CodingKeys: String, CodingKey {
      case code, area, text, groups, optional, scale, reverse, weight, targetOf
    }

    /// Decodes an item; `optional` and `reverse` default to `false`.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      code = try c.decode(String.self, forKey: .code)
      area = try c.decode(String.self, forKey: .area)
      text = try c.decodeIfPresent(String.self, forKey: .text)
      groups = try c.decode([String].self, forKey: .groups)
      optional = try c.decodeIfPresent(Bool.self, forKey: .optional) ?? false
      scale = try c.decode(String.self, forKey: .scale)
      reverse = try c.decodeIfPresent(Bool.self, forKey: .reverse) ?? false
      weight = try c.decodeIfPresent(Double.self, forKey: .weight)
      targetOf = try c.decodeIfPresent(String.self, forKey: .targetOf)
    }
  }

  /// A response scale: the options a respondent can choose and the codes that mean "missing".
  public struct ResponseScale: Codable, Sendable, Equatable {
    /// Identifier referred to by items.
    public var id: String
    /// The options, from lowest to highest.
    public var options: [Option]
    /// Codes that are valid answers but carry no score (not applicable, prefer not to say...).
    public var missingCodes: [MissingCode]

    /// Creates a scale.
    public init(id: String, options: [Option], missingCodes: [MissingCode] = []) {
      self.id = id
      self.options = options
      self.missingCodes = missingCodes
    }

    /// One answer option.
    public struct Option: Codable, Sendable, Equatable {
      /// The code as written in response files (`1`, `A1`, `C`...).
      public var value: String
      /// Display label.
      public var label: String
      /// Numeric score used in means (need not be equidistant).
      public var score: Double
      /// Creates an option.
      public init(value: String, label: String, score: Double) {
        self.value = value
        self.label = label
        self.score = score
      }
    }

    /// A code that is a valid answer without a score.
    public struct MissingCode: Codable, Sendable, Equatable {
      /// The code as written in response files (`NA`, `PNS`...). The empty cell is always
      /// accepted as ``MissingKind/skipped``.
      public var value: String
      /// What kind of missing it is.
      public var kind: MissingKind
      /// Creates a missing code.
      public init(value: String, kind: MissingKind) {
        self.value = value
        self.kind = kind
      }
    }

    /// The smallest and largest option score.
    public var scoreRange: ClosedRange<Double> {
      let scores = options.map(\.score)
      return (scores.min() ?? 0)...(scores.max() ?? 0)
    }
  }

  /// Kinds of missing answers, kept distinct in the table.
  public enum MissingKind: String, Codable, Sendable, CaseIterable {
    /// "Not applicable" to this respondent.
    case notApplicable
    /// The respondent preferred not to answer.
    case preferNotToSay
    /// No answer (an empty cell).
    case skipped
  }

  /// How scores map to maturity levels.
  public struct LevelScheme: Codable, Sendable, Equatable {
    /// Ordered level labels, lowest first, each with the lowest score that reaches it.
    public var levels: [Level]
    /// How an area's level is derived from item answers.
    public var rule: Rule

    /// Creates a scheme.
    public init(levels: [Level], rule: Rule) {
      self.levels = levels
      self.rule = rule
    }

    /// One level.
    public struct Level: Codable, Sendable, Equatable {
      /// Label, e.g. `B1` or `C`.
      public var label: String
      /// Lowest score that reaches this level.
      public var minimum: Double
      /// Creates a level.
      public init(label: String, minimum: Double) {
        self.label = label
        self.minimum = minimum
      }
    }

    /// Aggregation rule from item scores to a level.
    public enum Rule: String, Codable, Sendable {
      /// Mean of item scores, rounded half up, then the threshold table.
      case roundedMean
      /// Median of item scores, then the threshold table.
      case median
      /// Mean of item scores compared with the thresholds directly.
      case thresholds
    }

    /// The level reached by `score` (the highest level whose minimum is at most `score`);
    /// `nil` when `score` is below every level or not finite.
    public func level(for score: Double) -> String? {
      guard score.isFinite else { return nil }
      return levels.last { $0.minimum <= score }?.label
    }
  }
}
