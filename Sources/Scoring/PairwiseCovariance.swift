import MatrixCore

/// Covariances of columns with missing values, from pairwise-complete observations (R's
/// `cov(x, use = "pairwise")`): each entry uses the rows where both columns are present, with
/// the means of those rows and the `n − 1` denominator.
///
/// Computed with three matrix products over zero-filled data `X₀` and its presence mask `M`:
/// counts `MᵀM`, sums `X₀ᵀM` and cross-products `X₀ᵀX₀`, after shifting each column by its
/// mean to keep the cross-product formula accurate.
///
/// The pairwise correlations (R's `cor(x, use = "pairwise")`, which `psych::omega` uses) take
/// each pair's own means *and* standard deviations, so they differ from `cov2cor` of the
/// pairwise covariances when answers are missing; one more product, `(X₀∘X₀)ᵀM`, gives them.
///
/// - Complexity: O(*n k²*) through BLAS `dgemm`/`dsyrk` for *n* rows and *k* columns.
enum PairwiseCovariance {
  struct Result {
    let covariance: Matrix
    let pairCounts: Matrix
    /// Pearson correlations over each pair's complete rows.
    let correlation: Matrix
  }

  /// - Parameter shifts: per-column values subtracted before the products (column means, for
  ///   accuracy); computed when `nil`.
  static func compute(_ x: Matrix, shifts given: [Double]? = nil) -> Result {
    let n = x.rows
    let k = x.columns
    // Every element of the mask and the zero-filled data is written below, so the buffers
    // start uninitialised (no memset of two n x k matrices).
    var anyMissing = false
    var maskElements = [Double](unsafeUninitializedCapacity: n * k) { _, count in count = n * k }
    var zeroElements = [Double](unsafeUninitializedCapacity: n * k) { _, count in count = n * k }
    x.withUnsafeBufferPointer { p in
      maskElements.withUnsafeMutableBufferPointer { mp in
        zeroElements.withUnsafeMutableBufferPointer { zp in
          for j in 0..<k {
            let base = j * n
            let shift: Double
            if let given {
              shift = given[j]
            } else {
              var s = 0.0
              var c = 0.0
              for i in base..<(base + n) where !p[i].isNaN {
                s += p[i]
                c += 1
              }
              shift = c > 0 ? s / c : 0
            }
            for i in base..<(base + n) {
              let v = p[i]
              if v.isNaN {
                mp[i] = 0
                zp[i] = 0
                anyMissing = true
              } else {
                mp[i] = 1
                zp[i] = v - shift
              }
            }
          }
        }
      }
    }
    let mask = Matrix(rows: n, columns: k, columnMajor: maskElements)
    let zeroFilled = Matrix(rows: n, columns: k, columnMajor: zeroElements)
    let counts = mask.crossProduct()
    let sums = zeroFilled.multiply(mask, transposeSelf: .transpose)  // sums[i, j] = Σ x_i over pairs
    let products = zeroFilled.crossProduct()
    var cov = Matrix(rows: k, columns: k)
    for j in 0..<k {
      for i in 0..<k {
        let m = counts[i, j]
        cov[i, j] = m > 1 ? (products[i, j] - sums[i, j] * sums[j, i] / m) / (m - 1) : .nan
      }
    }
    let complete = !anyMissing
    var cor = Matrix(rows: k, columns: k)
    if complete {
      for j in 0..<k {
        for i in 0..<k { cor[i, j] = cov[i, j] / (cov[i, i] * cov[j, j]).squareRoot() }
      }
    } else {
      let squared = Matrix(
        rows: n, columns: k, columnMajor: zeroElements.map { $0 * $0 })
      let squares = squared.multiply(mask, transposeSelf: .transpose)  // Σ x_i² over pairs
      for j in 0..<k {
        for i in 0..<k {
          let m = counts[i, j]
          let sxx = squares[i, j] - sums[i, j] * sums[i, j] / m
          let syy = squares[j, i] - sums[j, i] * sums[j, i] / m
          cor[i, j] =
            i == j ? 1 : (products[i, j] - sums[i, j] * sums[j, i] / m) / (sxx * syy).squareRoot()
        }
      }
    }
    return Result(covariance: cov, pairCounts: counts, correlation: cor)
  }
}
