import Foundation
import Ingest
import MatrixCore

/// Item responses as a respondents x items matrix, with `NaN` for a missing answer: the input
/// of reliability analysis.
public struct ItemResponses: Sendable, Equatable {
  /// Item names, one per column.
  public let items: [String]
  /// `respondents x items`; `NaN` marks a missing answer.
  public let values: Matrix

  /// Pairs names with a matrix whose columns are the items.
  ///
  /// - Precondition: `items.count == values.columns`.
  public init(items: [String], values: Matrix) {
    precondition(
      items.count == values.columns,
      "ItemResponses: \(items.count) names for \(values.columns) columns")
    self.items = items
    self.values = values
  }

  /// Number of respondents (rows).
  public var respondentCount: Int { values.rows }

  /// Reverse-keys the items whose `keys` entry is negative as psych does: `min + max − x`,
  /// with `min` and `max` taken over all observed values of all items unless given.
  public func reversed(keys: [Int], minimum: Double? = nil, maximum: Double? = nil) -> ItemResponses
  {
    precondition(keys.count == items.count, "reversed: \(keys.count) keys for \(items.count) items")
    guard keys.contains(where: { $0 < 0 }) else { return self }
    var lo = Double.infinity
    var hi = -Double.infinity
    if minimum == nil || maximum == nil {
      for v in values.elements where !v.isNaN {
        lo = Swift.min(lo, v)
        hi = Swift.max(hi, v)
      }
    }
    let shift = (minimum ?? lo) + (maximum ?? hi)
    var m = values
    let n = m.rows
    m.withUnsafeMutableBufferPointer { p in
      for (j, key) in keys.enumerated() where key < 0 {
        for i in (j * n)..<((j + 1) * n) where !p[i].isNaN { p[i] = shift - p[i] }
      }
    }
    return ItemResponses(items: items, values: m)
  }
}

extension ItemResponses {
  /// Reads long-layout responses (`respondent,item,value`, extra columns ignored) for
  /// `items`: one row per respondent in order of first appearance, `NaN` where an item was
  /// not answered or its cell is empty; rows for other items are ignored.
  ///
  /// - Throws: ``IngestError/missingColumn(path:column:layout:)`` without the three columns;
  ///   ``IngestError/invalidCell(path:line:column:reason:)`` for a value that is not a number
  ///   or a second answer of one respondent to one item (line and column named).
  public static func readLong(_ path: String, items: [String]) throws -> ItemResponses {
    let (header, rows) = try CSVRows.read(path)
    guard let respondentColumn = header.firstIndex(of: "respondent"),
      let itemColumn = header.firstIndex(of: "item"),
      let valueColumn = header.firstIndex(of: "value")
    else {
      throw IngestError.missingColumn(
        path: path, column: "respondent, item and value", layout: "long")
    }
    let itemIndex = Dictionary(
      items.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    var respondentIndex: [String: Int] = [:]
    var cells: [[Double]] = []
    for (offset, row) in rows.enumerated() {
      let line = offset + 2
      guard row.count == header.count else {
        throw IngestError.invalidCell(
          path: path, line: line, column: 1,
          reason: "expected \(header.count) fields as in the header, found \(row.count)")
      }
      guard let j = itemIndex[row[itemColumn]] else { continue }
      let text = row[valueColumn].trimmingCharacters(in: .whitespaces)
      var value = Double.nan
      if !text.isEmpty {
        guard let v = Double(text), v.isFinite else {
          throw IngestError.invalidCell(
            path: path, line: line, column: valueColumn + 1,
            reason: "value '\(text)' of item '\(row[itemColumn])' is not a number")
        }
        value = v
      }
      let r: Int
      if let found = respondentIndex[row[respondentColumn]] {
        r = found
      } else {
        r = cells.count
        respondentIndex[row[respondentColumn]] = r
        cells.append([Double](repeating: .nan, count: items.count))
      }
      guard cells[r][j].isNaN else {
        throw IngestError.invalidCell(
          path: path, line: line, column: itemColumn + 1,
          reason:
            "respondent '\(row[respondentColumn])' answers item '\(row[itemColumn])' a second time")
      }
      cells[r][j] = value
    }
    let matrix = Matrix(rows: cells.count, columns: items.count) { i, j in cells[i][j] }
    return ItemResponses(items: items, values: matrix)
  }
}
