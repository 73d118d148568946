import Foundation
import MatrixCore
import Testing

@testable import Clustering

@Suite("Feature tables")
struct FeatureTableTests {
  /// Rows with a missing value in any column are dropped and listed (1-based), their ids with
  /// them; the means and standard deviations are the kept rows'.
  @Test func dropsIncompleteRowsWithTheirIds() throws {
    let raw = Matrix(rows: [
      [1, 2], [.nan, 3], [4, .infinity], [5, 6], [7, .nan], [9, 10],
    ])
    let table = try FeatureTable.make(
      columns: ["a", "b"], ids: ["s1", "s2", "s3", "s4", "s5", "s6"], values: raw)
    #expect(table.droppedRows == [2, 3, 5])
    #expect(table.ids == ["s1", "s4", "s6"])
    #expect(table.values.rowArrays == [[1, 2], [5, 6], [9, 10]])
    #expect(table.means == [5, 6])
    #expect(table.standardDeviations == [4, 4])
    let complete = try FeatureTable.make(columns: ["a"], ids: nil, values: Matrix(rows: [[1], [3]]))
    #expect(complete.droppedRows.isEmpty)
    #expect(complete.ids == ["1", "2"])
    // Without an id column the ids are the kept rows' 1-based numbers.
    let numbered = try FeatureTable.make(columns: ["a", "b"], ids: nil, values: raw)
    #expect(numbered.ids == ["1", "4", "6"])
  }

  /// A non-finite value is found wherever it is (the vectorised pass, then its position).
  @Test func nonFiniteValuesAreReportedWithTheirPosition() throws {
    for (row, column) in [(0, 0), (4, 1), (6, 2)] {
      var m = Matrix(rows: 7, columns: 3) { i, j in Double(i * 3 + j) }
      m[row, column] = column == 1 ? .infinity : .nan
      #expect(throws: ClusteringError.nonFiniteValue(row: row, column: column)) {
        try checkFinite(m)
      }
    }
    try checkFinite(Matrix(rows: 7, columns: 3) { i, j in -Double(i * 3 + j) })
  }
}
