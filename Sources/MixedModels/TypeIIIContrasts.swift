import Foundation
import MatrixCore

/// The hypotheses of lmerTest's type III F tests (`get_contrasts_type3`), one contrast matrix
/// per fixed-effect term, built as lmerTest builds them for treatment contrasts:
///
/// 1. `L = zapsmall((X⁺R)ᵀ)`, where `R` is the rank-deficient design with every level of every
///    factor (`model.matrix(~ 0 + term)` per term, plus the intercept), so that row `r` of
///    `L` expresses column `r` of `R` in the coefficients of `X`.
/// 2. Terms from the highest order down: the columns of a term contained in other terms
///    (all its variables in theirs, more variables there, the same numeric variables) are
///    replaced by their residuals on the columns of the containing terms.
/// 3. The rows of `L` belonging to `X`'s coefficients, transposed per term, rows with
///    `Σ|l| ≤ 1e-8` dropped.
///
/// With at most one term, lmerTest uses its type I contrasts instead (the rows of the unit
/// upper-triangular Doolittle factor of `XᵀX`), and so do we.
enum TypeIIIContrasts {
  struct Contrast {
    /// The term label as R writes it (`wave:sector`).
    let term: String
    /// The coefficients of the term.
    let coefficients: [String]
    /// Rows of `L`, each of length `p`.
    let rows: [[Double]]
  }

  static func make(_ frame: ModelFrame) -> [Contrast] {
    let p = frame.x.columns
    let n = frame.rowCount
    let terms = frame.fixedTerms
    let labels = terms.map { $0.joined(separator: ":") }
    let columnsOf = terms.indices.map { t in
      (0..<p).filter { frame.fixedTermOfColumn[$0] == t }
    }
    func names(_ t: Int) -> [String] { columnsOf[t].map { frame.fixedNames[$0] } }
    guard !terms.isEmpty, p > 0 else { return [] }
    let xtx = frame.x.crossProduct()
    guard let chol = try? Cholesky(xtx) else { return [] }
    if p <= 1 || terms.count <= 1 {
      // Type I: rows of Lᵀ, L unit lower triangular with XᵀX = L·D·Lᵀ (doolittle).
      let c = chol.factor
      return terms.indices.map { t in
        Contrast(
          term: labels[t], coefficients: names(t),
          rows: columnsOf[t].map { r in (0..<p).map { j in j < r ? 0 : c[j, r] / c[r, r] } })
      }
    }
    // 1. The all-level design R and L = (X⁺R)ᵀ (X has full column rank).
    var rNames: [String] = []
    var rColumns: [[Double]] = []
    if frame.hasIntercept {
      rNames.append("(Intercept)")
      rColumns.append([Double](repeating: 1, count: n))
    }
    for term in terms {
      guard
        let d = try? ModelFrame.design(
          terms: [term], intercept: false, variables: frame.codedVariables, n: n)
      else { return [] }
      rNames += d.names
      rColumns += d.columns
    }
    let m = rNames.count
    let r = Matrix(rows: n, columns: m, columnMajor: rColumns.flatMap { $0 })
    let coefficients = chol.solve(frame.x.multiply(r, transposeSelf: .transpose))  // p×m
    // l[row][column]: row of R, column of X.
    var l = zapsmall((0..<m).map { i in (0..<p).map { j in coefficients[j, i] } })
    // 2. Orthogonalise contained terms, highest order first (stable).
    let numeric = Set(
      frame.codedVariables.compactMap { name, v -> String? in
        if case .numeric = v { return name } else { return nil }
      })
    func contains(_ big: [String], _ small: [String]) -> Bool {
      let b = Set(big)
      let s = Set(small)
      return s.isSubset(of: b) && b.count > s.count
        && b.intersection(numeric) == s.intersection(numeric)
    }
    let order = terms.indices.sorted { a, b in
      terms[a].count != terms[b].count ? terms[a].count > terms[b].count : a < b
    }
    for t in order {
      let containing = terms.indices.filter { contains(terms[$0], terms[t]) }
      guard !containing.isEmpty else { continue }
      let basisColumns = containing.flatMap { columnsOf[$0] }
      let basis = orthonormalBasis(basisColumns.map { c in (0..<m).map { l[$0][c] } })
      var residuals = columnsOf[t].map { c in (0..<m).map { l[$0][c] } }
      for k in residuals.indices {
        for _ in 0..<2 {
          for b in basis {
            var dot = 0.0
            for i in 0..<m { dot += b[i] * residuals[k][i] }
            for i in 0..<m { residuals[k][i] -= dot * b[i] }
          }
        }
      }
      // zapsmall over the residual matrix (rows of R × the term's columns).
      let zapped = zapsmall((0..<m).map { i in residuals.map { $0[i] } })
      for (k, c) in columnsOf[t].enumerated() { for i in 0..<m { l[i][c] = zapped[i][k] } }
    }
    // 3. Rows of X's coefficients; one contrast matrix per term.
    var rowOf: [Int] = []
    for name in frame.fixedNames {
      guard let i = rNames.firstIndex(of: name) else { return [] }
      rowOf.append(i)
    }
    return terms.indices.map { t in
      let rows = columnsOf[t].map { c in (0..<p).map { l[rowOf[$0]][c] } }
        .filter { $0.reduce(0) { $0 + abs($1) } > 1e-8 }
      return Contrast(term: labels[t], coefficients: names(t), rows: rows)
    }
  }

  /// Orthonormal basis of the span of `vectors` (modified Gram-Schmidt twice; a vector whose
  /// remainder is below 1e-7 of its norm is dependent, as `lm.fit`'s QR tolerance).
  static func orthonormalBasis(_ vectors: [[Double]]) -> [[Double]] {
    var basis: [[Double]] = []
    for v0 in vectors {
      var v = v0
      let norm0 = v0.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm0 > 0 else { continue }
      for _ in 0..<2 {
        for b in basis {
          let d = zip(b, v).reduce(0) { $0 + $1.0 * $1.1 }
          for i in v.indices { v[i] -= d * b[i] }
        }
      }
      let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      if norm > 1e-7 * norm0 { basis.append(v.map { $0 / norm }) }
    }
    return basis
  }

  /// R's `zapsmall(x)` (digits = 7): rounds to `max(0, 7 − ceil(log10(max|x|)))` decimals.
  static func zapsmall(_ x: [[Double]]) -> [[Double]] {
    let mx = x.reduce(0.0) { max($0, $1.reduce(0.0) { max($0, abs($1)) }) }
    let digits = mx > 0 ? max(0, 7 - Int(ceil(log10(mx)))) : 7
    let scale = pow(10.0, Double(digits))
    return x.map { row in row.map { ($0 * scale).rounded() / scale } }
  }
}
