import Testing

@testable import MatrixCore

/// Shape mismatches are the caller's bug: they stop the process through `precondition`
/// (checked here with exit tests, which run the body in a child process).
@Suite("Preconditions on shapes")
struct PreconditionTests {
  @Test func gemmInnerDimensionMismatchStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Matrix(rows: 2, columns: 3) * Matrix(rows: 2, columns: 3)
    }
  }

  @Test func gemvLengthMismatchStops() async {
    await #expect(processExitsWith: .failure) {
      _ = Matrix(rows: 2, columns: 3) * Vector([1, 2])
    }
  }

  @Test func nonSquareCholeskyStops() async {
    await #expect(processExitsWith: .failure) {
      _ = try? Cholesky(Matrix(rows: 2, columns: 3))
    }
  }

  @Test func solveLengthMismatchStops() async {
    await #expect(processExitsWith: .failure) {
      let chol = try? Cholesky(Matrix.identity(3))
      _ = chol?.solve(Vector([1, 2]))
    }
  }
}
