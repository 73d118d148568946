import Ingest
import MatrixCore

/// The units and features to cluster, read from a CSV file, with missing values and
/// standardisation handled explicitly and counted.
///
/// ```swift
/// let table = try FeatureTable.read(
///   "school-scores-wide.csv", columns: ["leadership", "practice"], idColumn: "school",
///   missingValues: .drop, standardize: true)
/// table.values      // n x d, ready for KMeans, MixtureModelSelection or Hierarchical
/// table.droppedRows // data rows left out for a missing feature
/// ```
///
/// Reads the output of `lae score --layout wide` directly (its empty cells are missing).
/// Standardisation centres each column and divides it by its sample standard deviation
/// (`n − 1`), as R's `scale`.
public struct FeatureTable: Sendable {
  /// What to do with a row that misses a feature.
  public enum MissingValues: String, Sendable, Codable, CaseIterable {
    /// Leave the row out and count it (default).
    case drop
    /// Replace the value by its column's mean over the observed rows, and count it.
    case mean
  }

  /// Feature names, in column order.
  public let columns: [String]
  /// Unit identifiers (the id column, or 1-based data row numbers), one per kept row. Row
  /// numbers are written out when asked for (100,000 strings cost milliseconds that a run
  /// printing only profiles does not need): keep the array rather than asking again.
  public var ids: [String] {
    if let givenIds { return givenIds }
    return (keptRows ?? Array(0..<values.rows)).map { String($0 + 1) }
  }
  /// The features, `n x d`, after dropping or imputing and (optionally) standardising.
  public let values: Matrix
  /// Data rows (1-based, header not counted) left out because a feature was missing.
  public let droppedRows: [Int]
  /// Cells replaced by their column mean.
  public let imputedCells: Int
  /// Whether the columns were standardised.
  public let standardized: Bool
  /// Column means and sample standard deviations before standardising (of the kept rows).
  public let means: [Double]
  public let standardDeviations: [Double]
  /// The id column's values of the kept rows, or `nil` for row numbers.
  private let givenIds: [String]?
  /// The kept rows (0-based) when some were dropped; `nil` when all were kept.
  private let keptRows: [Int]?

  /// Builds a table from values already in memory (`NaN` is missing).
  ///
  /// - Throws: ``ClusteringError/zeroVariance(column:source:)`` when standardising a constant
  ///   column; ``ClusteringError/noFeatures``.
  public static func make(
    columns: [String], ids: [String]?, values raw: Matrix, missingValues: MissingValues = .drop,
    standardize: Bool = false, source: String = "the data"
  ) throws(ClusteringError) -> FeatureTable {
    guard !columns.isEmpty else { throw .noFeatures }
    precondition(raw.columns == columns.count, "FeatureTable: one name per column")
    let n = raw.rows
    let d = raw.columns
    var keep: [Int] = []
    var dropped: [Int] = []
    var imputed = 0
    var x = raw
    switch missingValues {
    case .drop:
      // Column by column over the contiguous storage; rows are listed only when some value is
      // missing.
      var incomplete = [Bool](repeating: false, count: n)
      var any = false
      raw.withUnsafeBufferPointer { p in
        for j in 0..<d {
          let column = UnsafeBufferPointer(rebasing: p[(j * n)..<((j + 1) * n)])
          var finite = true
          for v in column { finite = finite && v.isFinite }
          if finite { continue }
          any = true
          for i in 0..<n where !column[i].isFinite { incomplete[i] = true }
        }
      }
      if any {
        for i in 0..<n {
          if incomplete[i] { dropped.append(i + 1) } else { keep.append(i) }
        }
      } else {
        keep = Array(0..<n)
      }
    case .mean:
      keep = Array(0..<n)
      for j in 0..<d {
        var s = 0.0
        var c = 0
        for i in 0..<n where raw[i, j].isFinite {
          s += raw[i, j]
          c += 1
        }
        let mean = c > 0 ? s / Double(c) : .nan
        for i in 0..<n where !raw[i, j].isFinite {
          x[i, j] = mean
          imputed += 1
        }
        if c == 0 { throw .zeroVariance(column: columns[j], source: source) }
      }
    }
    let m = keep.count
    var values: Matrix
    if m == n {
      values = x
    } else {
      values = Matrix(rows: m, columns: d)
      for j in 0..<d { for (r, i) in keep.enumerated() { values[r, j] = x[i, j] } }
    }
    var means = [Double](repeating: 0, count: d)
    var sds = [Double](repeating: 0, count: d)
    values.withUnsafeBufferPointer { p in
      for j in 0..<d {
        let column = p.baseAddress! + j * m
        var s = 0.0
        for r in 0..<m { s += column[r] }
        let mean = m > 0 ? s / Double(m) : 0
        var ss = 0.0
        for r in 0..<m { ss += (column[r] - mean) * (column[r] - mean) }
        means[j] = mean
        sds[j] = m > 1 ? (ss / Double(m - 1)).squareRoot() : 0
      }
    }
    if standardize {
      for j in 0..<d {
        guard sds[j] > 0 else { throw .zeroVariance(column: columns[j], source: source) }
        for r in 0..<m { values[r, j] = (values[r, j] - means[j]) / sds[j] }
      }
    }
    return FeatureTable(
      columns: columns, values: values, droppedRows: dropped,
      imputedCells: imputed, standardized: standardize, means: means, standardDeviations: sds,
      givenIds: ids.map { all in m == n ? Array(all.prefix(n)) : keep.map { all[$0] } },
      keptRows: m == n ? nil : keep)
  }

  /// Reads `columns` (and the optional `idColumn`) from the CSV file at `path`, parsing a
  /// large clean file on up to `threads` threads (the values do not depend on it).
  ///
  /// - Throws: ``ClusteringError/unknownColumn(column:source:)`` naming the file and column;
  ///   ``IngestError`` for unreadable files and non-numeric cells (with line and column);
  ///   ``ClusteringError/zeroVariance(column:source:)``.
  public static func read(
    _ path: String, columns: [String], idColumn: String? = nil,
    missingValues: MissingValues = .drop, standardize: Bool = false, threads: Int = 1
  ) throws -> FeatureTable {
    guard !columns.isEmpty else { throw ClusteringError.noFeatures }
    let table: NumericTableReader.Result
    do {
      var reader = NumericTableReader()
      reader.threadCount = threads
      table = try reader.read(path, columns: columns)
    } catch let error {
      if case .missingColumn(_, let column, _) = error {
        throw ClusteringError.unknownColumn(column: column, source: path)
      }
      throw error
    }
    var ids: [String]? = nil
    if let idColumn {
      let (header, rows) = try CSVRows.read(path)
      guard let c = header.firstIndex(of: idColumn) else {
        throw ClusteringError.unknownColumn(column: idColumn, source: path)
      }
      ids = rows.map { c < $0.count ? $0[c] : "" }
    }
    let raw = Matrix(rows: table.rows, columns: columns.count, columnMajor: table.values)
    return try make(
      columns: columns, ids: ids, values: raw, missingValues: missingValues,
      standardize: standardize, source: path)
  }
}
