import Foundation
import Testing
import _TestSupport

@testable import MatrixCore

@Suite("Factorizations")
struct FactorizationTests {
  init() { printBLASConfigurationOnce() }

  // MARK: - Cholesky

  @Test func choleskyKnownValues() throws {
    // A = [[4, 2], [2, 3]] has L = [[2, 0], [1, sqrt(2)]] and |A| = 8.
    let chol = try Cholesky(Matrix(rows: [[4, 2], [2, 3]]))
    #expect(approximatelyEqual(chol.factor.elements, [2, 1, 0, 2.0.squareRoot()]))
    #expect(approximatelyEqual(chol.logDeterminant, Foundation.log(8)))
    #expect(approximatelyEqual(chol.solve(Vector([2, 1])).elements, [0.5, 0]))
  }

  @Test(arguments: testSeeds)
  func choleskyProperties(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let n = 1 + Int(rng.next() % 40)
    let a = Matrix.randomSPD(order: n, using: &rng)
    let chol = try Cholesky(a)
    let l = chol.factor
    #expect(relativeError(l.multiply(l, transposeOther: .transpose), a) < 1e-13, "seed \(seed)")
    for j in 0..<n { for i in 0..<j { #expect(l[i, j] == 0, "seed \(seed)") } }
    let inverse = chol.inverse()
    #expect(relativeError(a * inverse, .identity(n)) < 1e-10, "seed \(seed)")
    let b = Matrix.randomNormal(rows: n, columns: 4, using: &rng)
    #expect(relativeError(chol.solve(b), inverse * b) < 1e-10, "seed \(seed)")
    let lu = try LU(a)
    #expect(
      approximatelyEqual(
        chol.logDeterminant, lu.logAbsoluteDeterminant,
        relativeTolerance: 1e-10, absoluteTolerance: 1e-10), "seed \(seed)")
    let eigen = try SymmetricEigen(a, computeVectors: false)
    let logDet = eigen.values.reduce(0) { $0 + Foundation.log($1) }
    #expect(
      approximatelyEqual(
        chol.logDeterminant, logDet,
        relativeTolerance: 1e-10, absoluteTolerance: 1e-10), "seed \(seed)")
  }

  @Test(arguments: testSeeds)
  func choleskyRankOneUpdateAndDowndate(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let n = 1 + Int(rng.next() % 25)
    let a = Matrix.randomSPD(order: n, using: &rng)
    let x = Vector(Matrix.randomNormal(rows: n, columns: 1, using: &rng).elements)
    var chol = try Cholesky(a)
    chol.update(with: x)
    let updated = a + x.asColumn.multiply(x.asColumn, transposeOther: .transpose)
    let direct = try Cholesky(updated)
    #expect(relativeError(chol.factor, direct.factor) < 1e-11, "seed \(seed)")
    try chol.downdate(with: x)
    #expect(relativeError(chol.factor, try Cholesky(a).factor) < 1e-9, "seed \(seed)")
  }

  @Test func choleskyRejectsIndefinite() {
    let a = Matrix(rows: [[1, 2], [2, 1]])
    #expect(throws: MatrixError.notPositiveDefinite(leadingMinor: 2)) { try Cholesky(a) }
    let b = Matrix(rows: [[-1, 0], [0, 1]])
    #expect(throws: MatrixError.notPositiveDefinite(leadingMinor: 1)) { try Cholesky(b) }
    var chol = try? Cholesky(Matrix.identity(2))
    #expect(throws: MatrixError.notPositiveDefinite(leadingMinor: 1)) {
      try chol?.downdate(with: Vector([2, 0]))
    }
  }

  @Test func nonFiniteInputThrows() {
    let a = Matrix(rows: [[1, .nan], [.nan, 1]])
    #expect(throws: MatrixError.nonFiniteInput(routine: "dpotrf")) { try Cholesky(a) }
    #expect(throws: MatrixError.nonFiniteInput(routine: "dgetrf")) { try LU(a) }
    #expect(throws: MatrixError.nonFiniteInput(routine: "dgeqp3")) { try QR(a) }
    #expect(throws: MatrixError.nonFiniteInput(routine: "dsyevr")) { try SymmetricEigen(a) }
    #expect(throws: MatrixError.nonFiniteInput(routine: "dgesdd")) { try SVD(a) }
  }

  // MARK: - LU

  @Test func luSingularAndDeterminant() throws {
    let singular = Matrix(rows: [[1, 2], [2, 4]])
    #expect(throws: MatrixError.singular(pivot: 2)) { try LU(singular) }
    let lu = try LU(Matrix(rows: [[0, 1], [2, 3]]))
    #expect(approximatelyEqual(lu.determinant, -2))
    #expect(approximatelyEqual(lu.solve(Vector([1, 5])).elements, [1, 1]))
    #expect(
      approximatelyEqual(
        lu.solve(Vector([2, 1]), transpose: .transpose).elements,
        [-2, 1]))
  }

  @Test(arguments: testSeeds)
  func luInverse(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let n = 1 + Int(rng.next() % 30)
    let a = Matrix.randomNormal(rows: n, columns: n, using: &rng)
    let lu = try LU(a)
    #expect(relativeError(a * lu.inverse(), .identity(n)) < 1e-8, "seed \(seed)")
  }

  // MARK: - QR

  @Test(arguments: testSeeds)
  func qrProperties(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let m = 2 + Int(rng.next() % 30)
    let n = 1 + Int(rng.next() % UInt64(m))
    let a = Matrix.randomNormal(rows: m, columns: n, using: &rng)
    let qr = try QR(a)
    let q = qr.q
    #expect(relativeError(q.crossProduct(), .identity(n)) < 1e-13, "Q orthonormal, seed \(seed)")
    // A·P = Q·R
    let ap = Matrix(rows: m, columns: n) { i, j in a[i, qr.permutation[j]] }
    #expect(relativeError(q * qr.r, ap) < 1e-13, "seed \(seed)")
    #expect(qr.rank() == n, "seed \(seed)")
    let diag = qr.rDiagonal.map(abs)
    #expect(zip(diag, diag.dropFirst()).allSatisfy { $0 >= $1 }, "pivoting orders |Rii|")
    // Least squares agrees with the normal equations.
    let y = Vector(Matrix.randomNormal(rows: m, columns: 1, using: &rng).elements)
    let fit = qr.leastSquares(y)
    let normal = try Cholesky(a.crossProduct()).solve(a.multiply(y, transpose: .transpose))
    #expect(
      approximatelyEqual(
        fit.coefficients.elements, normal.elements,
        relativeTolerance: 1e-8, absoluteTolerance: 1e-10), "seed \(seed)")
    let residual = y - a * fit.coefficients
    #expect(
      approximatelyEqual(
        fit.residualSumOfSquares, residual.dot(residual),
        relativeTolerance: 1e-9, absoluteTolerance: 1e-12), "seed \(seed)")
  }

  @Test func qrRankDeficientDropsDependentColumns() throws {
    // Column 2 = column 0 + column 1: rank 2, one column dropped, fitted values still exact.
    let a = Matrix(rows: [[1, 0, 1], [1, 1, 2], [1, 2, 3], [1, 3, 4], [1, 5, 6]])
    let qr = try QR(a)
    #expect(qr.rank() == 2)
    let y = Vector([1, 3, 5, 7, 11])  // y = 1 + 2x exactly
    let fit = qr.leastSquares(y)
    #expect(fit.rank == 2 && fit.droppedColumns.count == 1)
    #expect((a * fit.coefficients - y).maxAbsoluteElement < 1e-12)
    #expect(fit.residualSumOfSquares < 1e-20)
  }

  // MARK: - Eigen and SVD

  @Test(arguments: testSeeds)
  func eigenProperties(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let n = 1 + Int(rng.next() % 40)
    let g = Matrix.randomNormal(rows: n, columns: n, using: &rng)
    let a = g + g.transposed  // symmetric, indefinite
    let e = try SymmetricEigen(a)
    let v = e.vectors
    #expect(relativeError(v.crossProduct(), .identity(n)) < 1e-12, "V orthogonal, seed \(seed)")
    var vl = v
    for j in 0..<n { for i in 0..<n { vl[i, j] *= e.values[j] } }
    #expect(relativeError(a * v, vl) < 1e-12, "A·v = λ·v, seed \(seed)")
    #expect(zip(e.values, e.values.dropFirst()).allSatisfy { $0 <= $1 }, "ascending")
    let trace = (0..<n).reduce(0) { $0 + a[$1, $1] }
    #expect(
      approximatelyEqual(
        e.values.sum, trace, relativeTolerance: 1e-10,
        absoluteTolerance: 1e-10), "seed \(seed)")
  }

  @Test func eigenKnownValues() throws {
    let e = try SymmetricEigen(Matrix(rows: [[2, 1], [1, 2]]))
    #expect(approximatelyEqual(e.values.elements, [1, 3]))
  }

  @Test(arguments: testSeeds)
  func svdProperties(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let m = 1 + Int(rng.next() % 30)
    let n = 1 + Int(rng.next() % 30)
    let a = Matrix.randomNormal(rows: m, columns: n, using: &rng)
    let svd = try SVD(a)
    let k = min(m, n)
    #expect(svd.u.rows == m && svd.u.columns == k && svd.vt.rows == k && svd.vt.columns == n)
    var us = svd.u
    for j in 0..<k { for i in 0..<m { us[i, j] *= svd.singularValues[j] } }
    #expect(relativeError(us * svd.vt, a) < 1e-12, "A = UΣVᵀ, seed \(seed)")
    #expect(relativeError(svd.u.crossProduct(), .identity(k)) < 1e-12, "seed \(seed)")
    #expect(relativeError(svd.vt.transposeCrossProduct(), .identity(k)) < 1e-12, "seed \(seed)")
    #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
    // Singular values squared are the eigenvalues of AᵀA.
    let e = try SymmetricEigen(a.crossProduct(), computeVectors: false)
    let top = Array(e.values.reversed().prefix(k))
    #expect(
      approximatelyEqual(
        svd.singularValues.map { $0 * $0 }, top,
        relativeTolerance: 1e-8, absoluteTolerance: 1e-10), "seed \(seed)")
  }

  @Test func emptyMatricesFactor() throws {
    let empty = Matrix(rows: 0, columns: 0)
    #expect(try Cholesky(empty).logDeterminant == 0)
    #expect(try SymmetricEigen(empty).values.isEmpty)
    #expect(try SVD(empty).singularValues.isEmpty)
    #expect(try QR(empty).rank() == 0)
  }

  @Test func errorMessagesSuggestAFix() {
    #expect(MatrixError.notPositiveDefinite(leadingMinor: 3).description.contains("order 3"))
    #expect(MatrixError.singular(pivot: 2).description.contains("pivot 2"))
  }
}

@Suite("SplitMix64")
struct RandomTests {
  @Test func reproducible() {
    var a = SplitMix64(seed: 42)
    var b = SplitMix64(seed: 42)
    let xs = (0..<100).map { _ in a.next() }
    let ys = (0..<100).map { _ in b.next() }
    #expect(xs == ys)
    // Reference values of SplitMix64 with seed 0 (Vigna's splitmix64.c).
    var z = SplitMix64(seed: 0)
    #expect(z.next() == 0xE220_A839_7B1D_CDAF)
    #expect(z.next() == 0x6E78_9E6A_A1B9_65F4)
  }

  @Test func normalMoments() {
    var rng = SplitMix64(seed: 1)
    let xs = (0..<200_000).map { _ in rng.nextNormal() }
    let mean = xs.reduce(0, +) / Double(xs.count)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
    #expect(abs(mean) < 0.01)
    #expect(abs(variance - 1) < 0.01)
  }
}
