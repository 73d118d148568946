import Ingest

/// A problem that stops reading activity logs or computing indicators: the file cannot be read,
/// is empty, or the pseudonym key is missing or too short. Problems in single statements are
/// ``LogIssue``s instead, collected in a ``LogValidationReport``.
public enum ActivityError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The log file could not be opened or read.
  case unreadableFile(path: String, reason: String)
  /// The log file holds no statements.
  case emptyFile(path: String)
  /// The file is neither JSON Lines, a JSON array, nor a Moodle log CSV.
  case unknownFormat(path: String, reason: String)
  /// The Moodle log lacks a column.
  case missingColumn(path: String, column: String)
  /// The pseudonym key file could not be read.
  case unreadableKey(path: String, reason: String)
  /// The pseudonym key is too short to resist guessing.
  case weakKey(byteCount: Int)
  /// An invalid setting (session gap, adoption threshold, wave starts).
  case invalidSetting(String)
  /// A CSV problem found by Ingest's reader (unreadable, empty, broken quoting).
  case csv(IngestError)

  /// The message in `FILE:LINE:COLUMN: error: message` form where there is a location.
  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "\(path): error: cannot read the file: \(reason)."
    case .emptyFile(let path):
      return "\(path):1:1: error: the file holds no statements or log rows."
    case .unknownFormat(let path, let reason):
      return "\(path):1:1: error: \(reason)"
    case .missingColumn(let path, let column):
      return "\(path):1:1: error: column '\(column)' is missing from the header; the Moodle "
        + "standard log needs eventname, userid and timecreated."
    case .unreadableKey(let path, let reason):
      return "\(path): error: cannot read the pseudonym key file: \(reason)."
    case .weakKey(let n):
      return "error: the pseudonym key holds \(n) bytes; use at least 16 random bytes "
        + "(e.g. head -c 32 /dev/urandom | base64 > key)."
    case .invalidSetting(let message):
      return "error: \(message)"
    case .csv(let error):
      return error.description
    }
  }
}

/// One problem in one statement or log row, with its location.
public struct LogIssue: Sendable, Equatable, Codable, CustomStringConvertible {
  /// The rule that was broken.
  public enum Rule: String, Sendable, Codable, CaseIterable, Comparable {
    case invalidJSON, notAnObject, missingProperty, wrongType, identifier, invalidIRI
    case invalidObject, invalidID, invalidTimestamp, futureTimestamp, invalidDuration
    case scoreOutOfRange, unsupportedVersion, voiding, invalidField, wrongFieldCount

    public static func < (a: Rule, b: Rule) -> Bool { a.rawValue < b.rawValue }
  }

  /// The file, as given.
  public let file: String
  /// One-based line.
  public let line: Int
  /// One-based byte column.
  public let column: Int
  /// The rule broken.
  public let rule: Rule
  /// A full sentence: what is wrong and what was expected.
  public let message: String

  /// `FILE:LINE:COLUMN: error: message`.
  public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// What reading a log found: statements (or rows) read, accepted, rejected by rule, voided.
public struct LogValidationReport: Sendable, Equatable, Codable {
  /// The file, as given.
  public var file: String
  /// `xapi-jsonl`, `xapi-array` or `moodle-csv`.
  public var format: String
  /// Statements or rows read.
  public var read = 0
  /// Accepted (valid) statements or rows, voiding statements included.
  public var accepted = 0
  /// Rejected statements or rows, each for its first problem.
  public var rejected = 0
  /// Voiding statements among the accepted.
  public var voiding = 0
  /// Events removed because a voiding statement in the file targets them.
  public var voided = 0
  /// Voiding targets not found in the file (they may be in another file).
  public var voidTargetsNotFound = 0
  /// Accepted rows skipped as not a person's activity (Moodle userid 0, anonymous groups).
  public var skipped = 0
  /// Rejections counted by rule.
  public var rejectedByRule: [String: Int] = [:]
  /// The problems, in file order, at most the reader's `maxErrors`.
  public var issues: [LogIssue] = []
  /// Whether reading stopped early because `maxErrors` problems were found.
  public var stoppedEarly = false

  /// Creates an empty report.
  public init(file: String, format: String) {
    self.file = file
    self.format = format
  }

  /// Whether every statement read was accepted.
  public var isClean: Bool { rejected == 0 && issues.isEmpty }

  /// The problems in compiler format, then the counts.
  public var text: String {
    var lines = issues.map(\.description)
    if stoppedEarly {
      lines.append(
        "\(file): note: stopped after \(issues.count) problem(s); raise --max-errors to see more.")
    }
    lines.append(
      "\(file) (\(format)): \(read) read, \(accepted) accepted, \(rejected) rejected; "
        + "\(voiding) voiding, \(voided) voided, \(voidTargetsNotFound) void target(s) not found, "
        + "\(skipped) skipped.")
    for (rule, n) in rejectedByRule.sorted(by: { $0.key < $1.key }) {
      lines.append("  rejected for \(rule): \(n)")
    }
    return lines.joined(separator: "\n")
  }

  mutating func reject(_ issue: LogIssue, maxErrors: Int) {
    rejected += 1
    rejectedByRule[issue.rule.rawValue, default: 0] += 1
    if issues.count < maxErrors { issues.append(issue) }
    if issues.count >= maxErrors { stoppedEarly = true }
  }
}
