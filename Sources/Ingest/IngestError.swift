/// A problem that stops reading a file: it cannot be read, is empty, has only a header, or
/// lacks a column the layout needs. Problems in single rows are ``IngestIssue``s instead,
/// collected in a ``ValidationReport`` so that one bad row does not hide the others.
///
/// Every message names the file (and line and column where there is one), in the compilers'
/// format `FILE:LINE:COLUMN: error: message`, so editors can jump to it.
public enum IngestError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file could not be opened or read.
  case unreadableFile(path: String, reason: String)
  /// The file holds no bytes (or only a byte-order mark or blank lines).
  case emptyFile(path: String)
  /// The file has a header but no data rows.
  case headerOnly(path: String)
  /// A column the layout needs is missing from the header.
  case missingColumn(path: String, column: String, layout: String)
  /// A column name appears twice in the header.
  case duplicateColumn(path: String, column: Int, name: String)
  /// The header itself is malformed (bad quoting or encoding).
  case malformedHeader(path: String, line: Int, column: Int, reason: String)
  /// The layout could not be detected from the header.
  case unknownLayout(path: String, header: [String])
  /// An instrument or roster definition is invalid.
  case invalidDefinition(path: String, reason: String)
  /// A data cell or row that a numeric table cannot use (not a number, wrong field count).
  case invalidCell(path: String, line: Int, column: Int, reason: String)

  /// The message in `FILE:LINE:COLUMN: error: message` form.
  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "\(path): error: cannot read the file: \(reason)."
    case .emptyFile(let path):
      return "\(path):1:1: error: the file is empty; expected a header line and data rows."
    case .headerOnly(let path):
      return "\(path):2:1: error: the file has a header but no data rows."
    case .missingColumn(let path, let column, let layout):
      return "\(path):1:1: error: column '\(column)' is missing from the header; the \(layout) "
        + "layout needs it."
    case .duplicateColumn(let path, let column, let name):
      return "\(path):1:\(column): error: column '\(name)' appears more than once in the header."
    case .malformedHeader(let path, let line, let column, let reason):
      return "\(path):\(line):\(column): error: malformed header: \(reason)."
    case .unknownLayout(let path, let header):
      return "\(path):1:1: error: cannot tell the layout from the header \(header); expected "
        + "'item' and 'value' columns (long layout) or item codes as columns (wide layout). "
        + "Use --layout long|wide to force one."
    case .invalidDefinition(let path, let reason):
      return "\(path): error: \(reason)."
    case .invalidCell(let path, let line, let column, let reason):
      return "\(path):\(line):\(column): error: \(reason)."
    }
  }
}

/// One problem found in one row, with its location. Rows with problems are rejected and
/// counted; reading goes on until ``SurveyReader/maxErrors`` problems were collected.
public struct IngestIssue: Sendable, Equatable, Codable, CustomStringConvertible {
  /// What kind of problem it is.
  public enum Kind: String, Sendable, Codable, CaseIterable, Comparable {
    /// A quote inside an unquoted field, or text after a closing quote.
    case strayQuote
    /// A quoted field that never closes.
    case unterminatedQuote
    /// The row has more or fewer fields than the header.
    case wrongFieldCount
    /// Bytes that are not valid UTF-8.
    case invalidUTF8
    /// A required field (school, respondent, group, wave, item) is empty.
    case emptyField
    /// The item code is not in the instrument.
    case unknownItem
    /// The value is neither an option nor a missing code of the item's scale.
    case valueOutsideScale
    /// The respondent group is not in the instrument.
    case unknownGroup
    /// The item is not meant for the respondent's group.
    case itemNotForGroup
    /// The same respondent answered the same item twice in one wave.
    case duplicateAnswer
    /// The school is not in the roster.
    case unknownSchool
    /// The hub given disagrees with the roster.
    case hubMismatch
    /// A timestamp that is not ISO 8601 with a zone.
    case invalidTimestamp
    /// An id defined twice (roster).
    case duplicateId
    /// A roster row whose `kind` is neither `school` nor `teacher`.
    case invalidKind

    public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
  }

  /// The file, as given.
  public let file: String
  /// One-based line of the row (of the field, for multi-line quoted fields).
  public let line: Int
  /// One-based byte column of the offending field in its line.
  public let column: Int
  /// The kind of problem.
  public let kind: Kind
  /// The offending value (truncated to 80 bytes), when there is one.
  public let value: String?
  /// A full sentence: what is wrong and what was expected.
  public let message: String

  /// `FILE:LINE:COLUMN: error: message`.
  public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
