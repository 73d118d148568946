/// What reading a file found: rows read, accepted and rejected (with reasons counted), and
/// the problems themselves, so that nothing is lost silently.
public struct ValidationReport: Sendable, Equatable, Codable {
  /// The file, as given.
  public var file: String
  /// The layout read (`long`, `wide`, or `roster`).
  public var layout: String
  /// Data rows (CSV records after the header) read.
  public var rowsRead = 0
  /// Rows accepted into the table.
  public var rowsAccepted = 0
  /// Rows rejected, each for its first problem.
  public var rowsRejected = 0
  /// Answers stored (equal to rows accepted in the long layout; one per non-empty item cell
  /// in the wide layout).
  public var answersAccepted = 0
  /// Rejected rows counted by the kind of their problem.
  public var rejectedByKind: [String: Int] = [:]
  /// The problems, in file order, at most the reader's `maxErrors`.
  public var issues: [IngestIssue] = []
  /// Whether reading stopped early because `maxErrors` problems were found.
  public var stoppedEarly = false

  /// Creates an empty report.
  public init(file: String, layout: String) {
    self.file = file
    self.layout = layout
  }

  /// Whether every row read was accepted.
  public var isClean: Bool { rowsRejected == 0 && issues.isEmpty }

  /// A plain-text rendering: the problems in compiler format, then the counts.
  public var text: String {
    var lines = issues.map(\.description)
    if stoppedEarly {
      lines.append(
        "\(file): note: stopped after \(issues.count) problem(s); raise --max-errors to see more.")
    }
    lines.append(
      "\(file) (\(layout) layout): \(rowsRead) rows read, \(rowsAccepted) accepted, \(rowsRejected) rejected; \(answersAccepted) answers stored."
    )
    for (kind, n) in rejectedByKind.sorted(by: { $0.key < $1.key }) {
      lines.append("  rejected for \(kind): \(n)")
    }
    return lines.joined(separator: "\n")
  }

  mutating func reject(_ issue: IngestIssue, maxErrors: Int) {
    rowsRejected += 1
    rejectedByKind[issue.kind.rawValue, default: 0] += 1
    if issues.count < maxErrors { issues.append(issue) }
    if issues.count >= maxErrors { stoppedEarly = true }
  }
}
