import Ingest
import MatrixCore

/// The numbers a fit needs, built from a table and a formula: complete rows only, fixed-effect
/// design `X` (rank-deficient columns dropped), response `y`, and grouping factors with their
/// random-effect design, ordered as lme4 orders them (decreasing number of levels).
struct ModelFrame: Sendable {
  /// One grouping factor with every random-effect term that varies by it.
  struct Factor: Sendable {
    /// lme4's name (`school`, `teacher:school`).
    var name: String
    /// Level labels, in lme4's order.
    var levels: [String]
    /// Level index of each used row.
    var codes: [Int32]
    /// Blocks of the covariance template: term names per block (one block per formula term).
    var blocks: [[String]]
    /// Random-effect design, row-major: `z[i * q + c]`.
    var z: [Double]
    /// Columns per level.
    var q: Int { blocks.reduce(0) { $0 + $1.count } }
    /// For each coarser factor `j` (index in the frame), the level of `j` containing each level
    /// of this factor.
    var parents: [Int: [Int32]] = [:]
  }

  var rowCount: Int
  var droppedRowCount: Int
  /// Original row index of each used row.
  var rows: [Int]
  var y: [Double]
  var x: Matrix
  var fixedNames: [String]
  var droppedFixedNames: [String]
  /// Fixed-effect terms of the formula (`[["wave"], ["sector"], ["wave", "sector"]]`).
  var fixedTerms: [[String]]
  /// Whether the fixed part has an intercept.
  var hasIntercept: Bool
  /// For each column of `x`, the index of its term in ``fixedTerms`` (−1 for the intercept).
  var fixedTermOfColumn: [Int]
  /// The variables over the used rows: numbers, or level codes with level names (reference
  /// first); kept for the type III contrasts, which need the all-level indicator design.
  var codedVariables: [String: Variable]
  var factors: [Factor]
  /// How each categorical variable was coded: levels with the reference first.
  var categoricalLevels: [String: [String]]

  // MARK: - Building

  init(
    formula: ModelFormula, data: ColumnTable, factors declared: Set<String>,
    references: [String: String]
  ) throws(MixedModelError) {
    guard !formula.randomTerms.isEmpty else { throw MixedModelError.noRandomEffects }
    let variables = formula.variables
    let grouping = Set(formula.groupingVariables)
    var columns: [String: ColumnTable.Column] = [:]
    for v in variables {
      guard let c = data.column(v) else { throw MixedModelError.unknownColumn(v) }
      columns[v] = c
    }
    // Complete rows.
    var used: [Int] = []
    used.reserveCapacity(data.rowCount)
    let list = variables.compactMap { columns[$0] }
    for i in 0..<data.rowCount where !list.contains(where: { $0.isMissing(i) }) { used.append(i) }
    guard !used.isEmpty else { throw MixedModelError.noCompleteRows(dropped: data.rowCount) }
    rows = used
    rowCount = used.count
    droppedRowCount = data.rowCount - used.count

    // Response.
    guard case .numeric(let yAll) = columns[formula.response] ?? .numeric([]),
      !declared.contains(formula.response)
    else { throw MixedModelError.nonNumericColumn(formula.response) }
    y = used.map { yAll[$0] }
    let y0 = y[0]
    if y.allSatisfy({ $0 == y0 }) { throw MixedModelError.constantResponse(formula.response) }

    // Variables: numeric values or level indices.
    var coded: [String: Variable] = [:]
    var levelsOut: [String: [String]] = [:]
    for v in variables where v != formula.response {
      guard let column = columns[v] else { continue }
      let categorical = grouping.contains(v) || declared.contains(v)
      switch column {
      case .numeric(let values) where !categorical:
        coded[v] = .numeric(used.map { values[$0] })
      default:
        let (labels, codes) = ModelFrame.labels(column, rows: used)
        var order = ModelFrame.sortedLevels(labels, presentCodes: codes)
        if let ref = references[v] {
          guard let k = order.firstIndex(where: { labels[$0] == ref }) else {
            throw MixedModelError.unknownLevel(variable: v, level: ref)
          }
          order.insert(order.remove(at: k), at: 0)
        }
        var position = [Int32](repeating: -1, count: labels.count)
        for (k, code) in order.enumerated() { position[code] = Int32(k) }
        let levelNames = order.map { labels[$0] }
        coded[v] = .categorical(codes.map { position[Int($0)] }, levelNames)
        if !grouping.contains(v) { levelsOut[v] = levelNames }
      }
    }
    categoricalLevels = levelsOut
    codedVariables = coded
    fixedTerms = formula.fixedTerms
    hasIntercept = formula.hasIntercept

    // Fixed effects, then rank-deficient columns dropped as R's qr() with tolerance 1e-7.
    let design = try ModelFrame.design(
      terms: formula.fixedTerms, intercept: formula.hasIntercept, variables: coded, n: rowCount)
    let keep = ModelFrame.independentColumns(design.columns, n: rowCount)
    fixedNames = keep.map { design.names[$0] }
    fixedTermOfColumn = keep.map { design.terms[$0] }
    droppedFixedNames = design.names.indices.filter { !keep.contains($0) }.map { design.names[$0] }
    var xs: [Double] = []
    xs.reserveCapacity(rowCount * keep.count)
    for j in keep { xs.append(contentsOf: design.columns[j]) }
    x = Matrix(rows: rowCount, columns: keep.count, columnMajor: xs)

    // Grouping factors: terms with the same grouping merge into one factor.
    var built: [Factor] = []
    for term in formula.randomTerms {
      let z = try ModelFrame.design(
        terms: term.terms, intercept: term.hasIntercept, variables: coded, n: rowCount)
      if let k = built.firstIndex(where: { $0.name == term.groupingName }) {
        let q0 = built[k].q
        let q1 = z.names.count
        var merged = [Double](repeating: 0, count: rowCount * (q0 + q1))
        for i in 0..<rowCount {
          for c in 0..<q0 { merged[i * (q0 + q1) + c] = built[k].z[i * q0 + c] }
          for c in 0..<q1 { merged[i * (q0 + q1) + q0 + c] = z.columns[c][i] }
        }
        built[k].z = merged
        built[k].blocks.append(z.names)
      } else {
        let (levels, codes) = ModelFrame.groupingLevels(term.grouping, coded)
        var zz = [Double](repeating: 0, count: rowCount * z.names.count)
        let q = z.names.count
        for i in 0..<rowCount { for c in 0..<q { zz[i * q + c] = z.columns[c][i] } }
        built.append(
          Factor(name: term.groupingName, levels: levels, codes: codes, blocks: [z.names], z: zz))
      }
    }
    // lme4 orders terms by decreasing number of levels (stable).
    factors = built.enumerated().sorted { a, b in
      a.element.levels.count != b.element.levels.count
        ? a.element.levels.count > b.element.levels.count : a.offset < b.offset
    }.map(\.element)

    for f in factors {
      if f.levels.count < 2 {
        throw MixedModelError.singleLevelGrouping(term: f.name, levels: f.levels.count)
      }
      if f.levels.count >= rowCount {
        throw MixedModelError.tooFewObservations(
          term: f.name, observations: rowCount, needed: f.levels.count)
      }
      if f.q * f.levels.count >= rowCount {
        throw MixedModelError.tooFewObservations(
          term: f.name, observations: rowCount, needed: f.q * f.levels.count)
      }
    }
    // Nesting: each level of a finer factor lies within one level of every coarser one.
    for i in factors.indices {
      for j in factors.indices where j > i {
        var parent = [Int32](repeating: -1, count: factors[i].levels.count)
        let ci = factors[i].codes
        let cj = factors[j].codes
        for r in 0..<rowCount {
          let l = Int(ci[r])
          if parent[l] < 0 {
            parent[l] = cj[r]
          } else if parent[l] != cj[r] {
            throw MixedModelError.crossedFactors(factors[i].name, factors[j].name)
          }
        }
        factors[i].parents[j] = parent
      }
    }
  }

  // MARK: - Helpers

  enum Variable: Sendable {
    case numeric([Double])
    case categorical([Int32], [String])
  }

  /// Labels of a column's distinct values and each used row's label index.
  static func labels(_ column: ColumnTable.Column, rows: [Int]) -> ([String], [Int32]) {
    switch column {
    case .text(let codes, let levels):
      return (levels, rows.map { codes[$0] })
    case .numeric(let values):
      var labels: [String] = []
      var index: [Double: Int32] = [:]
      let codes = rows.map { r -> Int32 in
        let v = values[r]
        if let c = index[v] { return c }
        let c = Int32(labels.count)
        labels.append(numberLabel(v))
        index[v] = c
        return c
      }
      return (labels, codes)
    }
  }

  /// A number as R's `as.character` writes it (integers without a decimal point).
  static func numberLabel(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }

  /// Indices of the labels present, sorted as R sorts factor levels: numerically when every
  /// label is a number, else by Unicode code point (R's C locale; UTF-8 byte order is
  /// code-point order).
  static func sortedLevels(_ labels: [String], presentCodes: [Int32]) -> [Int] {
    var present = [Bool](repeating: false, count: labels.count)
    for c in presentCodes { present[Int(c)] = true }
    let idx = labels.indices.filter { present[$0] }
    let numbers = idx.map { Double(labels[$0]) }
    if numbers.allSatisfy({ $0 != nil }) {
      return zip(idx, numbers).sorted { ($0.1 ?? 0) < ($1.1 ?? 0) }.map(\.0)
    }
    return idx.sorted {
      labels[$0].utf8.lexicographicallyPrecedes(labels[$1].utf8)
    }
  }

  /// Levels of a (possibly interacted) grouping factor in R's order: by the first variable's
  /// level, then the next; labels joined by ':'.
  static func groupingLevels(_ names: [String], _ coded: [String: Variable]) -> ([String], [Int32])
  {
    var parts: [([Int32], [String])] = []
    for n in names {
      if case .categorical(let c, let l) = coded[n] { parts.append((c, l)) }
    }
    if parts.count == 1 { return (parts[0].1, parts[0].0) }
    let n = parts[0].0.count
    // One integer per row: the parts' codes in mixed radix (first part most significant).
    var keys = [Int](repeating: 0, count: n)
    keys.withUnsafeMutableBufferPointer { out in
      for p in parts {
        let size = p.1.count
        p.0.withUnsafeBufferPointer { codes in
          for i in 0..<n { out[i] = out[i] * size + Int(codes[i]) }
        }
      }
    }
    var distinct = keys.sorted()
    var unique = 0
    for key in distinct where unique == 0 || key != distinct[unique - 1] {
      distinct[unique] = key
      unique += 1
    }
    distinct.removeLast(distinct.count - unique)
    /// The position of `key` among the distinct keys (binary search).
    func position(_ key: Int) -> Int32 {
      var (low, high) = (0, distinct.count)
      while low < high {
        let mid = (low + high) / 2
        if distinct[mid] < key { low = mid + 1 } else { high = mid }
      }
      return Int32(low)
    }
    // Labels "a:b": each key's digits, least significant (last part) first.
    let names = parts.map(\.1)
    var digits = [Int](repeating: 0, count: parts.count)
    var labels: [String] = []
    labels.reserveCapacity(distinct.count)
    for key in distinct {
      var rest = key
      for i in names.indices.reversed() {
        digits[i] = rest % names[i].count
        rest /= names[i].count
      }
      var label = names[0][digits[0]]
      for i in 1..<names.count {
        label += ":"
        label += names[i][digits[i]]
      }
      labels.append(label)
    }
    return (labels, keys.map(position))
  }

  /// Model-matrix columns for `terms` as R's `model.matrix` builds them: treatment contrasts
  /// for a factor when the term without it is in the model, indicator columns otherwise; the
  /// first variable of an interaction varies fastest.
  static func design(
    terms: [[String]], intercept: Bool, variables: [String: Variable], n: Int
  ) throws(MixedModelError) -> (names: [String], columns: [[Double]], terms: [Int]) {
    var names: [String] = []
    var columns: [[Double]] = []
    var termOf: [Int] = []
    if intercept {
      names.append("(Intercept)")
      columns.append([Double](repeating: 1, count: n))
      termOf.append(-1)
    }
    let present = Set(terms.map { Set($0) })
    for (index, term) in terms.enumerated() {
      var current: [(name: String, values: [Double]?)] = [("", nil)]
      for v in term {
        guard let variable = variables[v] else { throw MixedModelError.unknownColumn(v) }
        var pieces: [(String, [Double])] = []
        switch variable {
        case .numeric(let values):
          pieces = [(v, values)]
        case .categorical(let codes, let levels):
          let rest = Set(term).subtracting([v])
          let contrasts = rest.isEmpty ? intercept : present.contains(rest)
          for k in (contrasts ? 1 : 0)..<levels.count {
            pieces.append((v + levels[k], codes.map { $0 == Int32(k) ? 1 : 0 }))
          }
        }
        var next: [(name: String, values: [Double]?)] = []
        for piece in pieces {
          for c in current {
            let name = c.name.isEmpty ? piece.0 : c.name + ":" + piece.0
            if let base = c.values {
              var product = base
              for i in 0..<n { product[i] *= piece.1[i] }
              next.append((name, product))
            } else {
              next.append((name, piece.1))
            }
          }
        }
        current = next
      }
      for c in current {
        names.append(c.name)
        columns.append(c.values ?? [Double](repeating: 1, count: n))
        termOf.append(index)
      }
    }
    return (names, columns, termOf)
  }

  /// Columns kept as R's `qr()` (LINPACK `dqrdc2`, tolerance 1e-7) keeps them: in order, a
  /// column is dropped when its part orthogonal to the kept ones is below 1e-7 of its norm.
  static func independentColumns(_ columns: [[Double]], n: Int, tolerance: Double = 1e-7) -> [Int] {
    var basis: [[Double]] = []
    var keep: [Int] = []
    for (j, column) in columns.enumerated() {
      var v = column
      let norm0 = Vector(column).norm
      guard norm0 > 0 else { continue }
      for _ in 0..<2 {  // twice is enough (Kahan-Parlett)
        for b in basis {
          let d = Vector(b).dot(Vector(v))
          for i in 0..<n { v[i] -= d * b[i] }
        }
      }
      let norm = Vector(v).norm
      if norm > tolerance * norm0 {
        basis.append(v.map { $0 / norm })
        keep.append(j)
      }
    }
    return keep
  }
}
