import Foundation
import Ingest
import MatrixCore
import Synchronization

private let cache = Mutex<[String: [[String: String]]]>([:])

/// Reference data and values written by Fixtures/references/make_clustering.{R,py}.
enum References {
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/clustering")

  static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  /// A data set as an `n x d` matrix.
  static func data(_ name: String) throws -> Matrix {
    let table = try NumericTableReader().read(path(name + ".csv"), columns: nil)
    return Matrix(rows: table.rows, columns: table.names.count, columnMajor: table.values)
  }

  /// Rows of a reference CSV as dictionaries.
  /// (Plain comma splitting: the reference files hold no quoted fields.)
  static func rows(_ file: String) throws -> [[String: String]] {
    if let hit = cache.withLock({ $0[file] }) { return hit }
    let text = try String(contentsOfFile: path(file), encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline)
    let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
      .map(String.init)
    let rows = lines.map { line in
      var row: [String: String] = [:]
      for (name, value) in zip(header, line.split(separator: ",", omittingEmptySubsequences: false))
      {
        row[name] = String(value)
      }
      return row
    }
    cache.withLock { $0[file] = rows }
    return rows
  }

  /// Labels per row for the rows matching `filter`, ordered by the `row` column.
  static func labels(_ file: String, column: String, where filter: ([String: String]) -> Bool)
    throws -> [Int]
  {
    try rows(file).filter(filter)
      .sorted { Int($0["row"] ?? "") ?? 0 < Int($1["row"] ?? "") ?? 0 }
      .map { Int($0[column] ?? "") ?? -1 }
  }
}
