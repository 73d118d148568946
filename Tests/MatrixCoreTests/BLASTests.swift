import Testing
import _TestSupport

@testable import MatrixCore

@Suite("BLAS operations")
struct BLASTests {
  init() { printBLASConfigurationOnce() }

  @Test func knownProducts() {
    let a = Matrix(rows: [[1, 2, 3], [4, 5, 6]])
    let b = Matrix(rows: [[7, 8], [9, 10], [11, 12]])
    #expect((a * b) == Matrix(rows: [[58, 64], [139, 154]]))
    #expect(a * Vector([1, 0, -1]) == Vector([-2, -2]))
    #expect(a.multiply(Vector([1, 1]), transpose: .transpose) == Vector([5, 7, 9]))
    #expect(a.crossProduct() == Matrix(rows: [[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    #expect(a.transposeCrossProduct() == Matrix(rows: [[14, 32], [32, 77]]))
    #expect(Vector([1, 2, 3]).dot(Vector([4, 5, 6])) == 32)
    #expect(Vector([3, 4]).norm == 5)
  }

  @Test func axpyAndScale() {
    var y = Vector([1, 1, 1])
    y.add(Vector([1, 2, 3]), scaledBy: 2)
    #expect(y == Vector([3, 5, 7]))
    y.scale(by: -1)
    #expect(y == Vector([-3, -5, -7]))
  }

  @Test(arguments: testSeeds)
  func gemmAgreesWithNaiveProduct(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let m = 1 + Int(rng.next() % 17)
    let k = 1 + Int(rng.next() % 13)
    let n = 1 + Int(rng.next() % 11)
    let a = Matrix.randomNormal(rows: m, columns: k, using: &rng)
    let b = Matrix.randomNormal(rows: k, columns: n, using: &rng)
    let naive = Matrix(rows: m, columns: n) { i, j in
      (0..<k).reduce(0) { $0 + a[i, $1] * b[$1, j] }
    }
    #expect(relativeError(a * b, naive) < 1e-13, "seed \(seed)")
    // Transposed variants agree with explicit transposes.
    let at = a.transposed
    #expect(relativeError(at.multiply(b, transposeSelf: .transpose), naive) < 1e-13, "seed \(seed)")
    let bt = b.transposed
    #expect(
      relativeError(a.multiply(bt, transposeOther: .transpose), naive) < 1e-13, "seed \(seed)")
    // In-place C ← 2AB + C.
    var c = naive
    c.multiplyAdd(a, b, alpha: 2, beta: 1)
    #expect(relativeError(c, 3 * naive) < 1e-13, "seed \(seed)")
    // symm with a symmetric A equals gemm.
    let s = a.transposeCrossProduct()
    let other = Matrix.randomNormal(rows: m, columns: n, using: &rng)
    #expect(relativeError(s.symmetricMultiply(other), s * other) < 1e-13, "seed \(seed)")
  }

  @Test(arguments: testSeeds)
  func triangularSolves(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let n = 1 + Int(rng.next() % 20)
    let l = try Cholesky(Matrix.randomSPD(order: n, using: &rng)).factor
    let b = Vector(Matrix.randomNormal(rows: n, columns: 1, using: &rng).elements)
    let x = try l.solveTriangular(b, triangle: .lower)
    #expect((l * x - b).maxAbsoluteElement < 1e-12, "seed \(seed)")
    let xt = try l.solveTriangular(b, triangle: .lower, transpose: .transpose)
    #expect((l.multiply(xt, transpose: .transpose) - b).maxAbsoluteElement < 1e-12, "seed \(seed)")
    let bm = Matrix.randomNormal(rows: n, columns: 3, using: &rng)
    let u = l.transposed
    let xm = try u.solveTriangular(bm, triangle: .upper)
    #expect(relativeError(u * xm, bm) < 1e-12, "seed \(seed)")
  }

  @Test func triangularSolveWithZeroDiagonalThrows() {
    let t = Matrix(rows: [[1, 0], [2, 0]])
    #expect(throws: MatrixError.singular(pivot: 2)) {
      try t.solveTriangular(Vector([1, 1]), triangle: .lower)
    }
  }

  @Test func emptyShapes() {
    let a = Matrix(rows: 0, columns: 3)
    let b = Matrix(rows: 3, columns: 2)
    #expect((a * b).rows == 0)
    let z = Matrix(rows: 2, columns: 0).multiply(Matrix(rows: 0, columns: 2))
    #expect(z == Matrix(rows: 2, columns: 2))
  }

  @Test func matrixBasics() {
    let a = Matrix(rows: [[1, 2], [3, 4], [5, 6]])
    #expect(a.rows == 3 && a.columns == 2)
    #expect(a.elements == [1, 3, 5, 2, 4, 6], "column-major storage")
    #expect(a.transposed == Matrix(rows: [[1, 3, 5], [2, 4, 6]]))
    #expect(a.column(1) == Vector([2, 4, 6]))
    #expect(a.row(2) == Vector([5, 6]))
    #expect(a.rowArrays == [[1, 2], [3, 4], [5, 6]])
    #expect(Matrix.identity(2) == Matrix(rows: [[1, 0], [0, 1]]))
    var s = Matrix(rows: [[1, 9], [2, 3]])
    s.symmetrize(from: .lower)
    #expect(s == Matrix(rows: [[1, 2], [2, 3]]) && s.isSymmetric())
  }

  @Test func configurationIsReported() {
    let config = BLASConfiguration.current
    #expect(config.buildConfiguration.contains("OpenBLAS"))
    #expect(!config.lapackVersion.isEmpty)
    BLASConfiguration.withThreadCount(1) {
      #expect(BLASConfiguration.current.threadCount == 1)
    }
  }
}
