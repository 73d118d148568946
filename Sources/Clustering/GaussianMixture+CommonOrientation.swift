import Foundation
import MatrixCore

extension ExpectationMaximization {
  /// EVE and VVE (`Σₖ = λ D Aₖ Dᵀ` and `λₖ D Aₖ Dᵀ`, `|Aₖ| = 1`): the common orientation `D`
  /// by the two majorization-minimization steps of Browne and McNicholas (2014), then the
  /// shapes and volumes, repeated until the target `Σₖ tr(Wₖ D Aₖ⁻¹ Dᵀ)` changes by at most
  /// ``innerTolerance`` relative (mclust `mseve`/`msvve`, `tol[2]`). `D` and `Aₖ` are
  /// carried from one EM iteration to the next (from `I`, as mclust), and the result is left
  /// in ``orientation``, ``componentShapes`` and ``scale``.
  ///
  /// The two steps, with `ωₖ` the largest eigenvalue of the scatter `Wₖ` and `αₖ` the
  /// largest element of `Aₖ⁻¹`:
  /// - `F = Σₖ Aₖ⁻¹ Dᵀ (Wₖ − ωₖ I) = P S Rᵀ` (SVD), `D ← R Pᵀ`;
  /// - `F = Σₖ Wₖ D (Aₖ⁻¹ − αₖ I) = P S Rᵀ`, `D ← P Rᵀ`.
  ///
  /// Then `Aₖ ∝ diag(Dᵀ Wₖ D)` with determinant 1. EVE's volume is `λ = target / (n d)`;
  /// VVE's are `λₖ = |diag(Dᵀ Wₖ D)|^{1/d} / nₖ`. As in mclust, VVE's orientation steps and
  /// target weigh the components by `Aₖ⁻¹` alone, not by `(λₖ Aₖ)⁻¹`, so that our fits stop
  /// where mclust's do.
  ///
  /// Fails, as mclust, when a scatter has an eigenvalue below `√ε`, or a shape element (or a
  /// VVE volume) falls below `√ε`.
  mutating func commonOrientationIterations(_ scatters: [Matrix], mass: [Double])
    throws(MixtureFailure)
  {
    let rteps = eps.squareRoot()
    let dd = Double(d)
    var largest = [Double](repeating: 0, count: k)
    for (c, w) in scatters.enumerated() {
      guard let e = try? SymmetricEigen(w, computeVectors: false) else {
        throw MixtureFailure(reason: "the scatter of component \(c + 1) has no eigenvalues")
      }
      let smallest = e.values[0]
      if !(smallest >= rteps) {
        throw MixtureFailure(
          reason:
            "the scatter of component \(c + 1) is singular (smallest eigenvalue \(smallest))")
      }
      largest[c] = e.values[d - 1]
    }
    let name = model.rawValue
    var previous = Double.greatestFiniteMagnitude / 2
    var inner = 0
    var projected = [Double](repeating: 0, count: k * d)
    while true {
      inner += 1
      // MM 1: F = Σₖ Aₖ⁻¹ Dᵀ (Wₖ − ωₖ I), D ← R Pᵀ.
      var f = Matrix(rows: d, columns: d)
      for c in 0..<k {
        let g = orientation.multiply(scatters[c], transposeSelf: .transpose)
        for m in 0..<d {
          for j in 0..<d {
            f[j, m] += (g[j, m] - largest[c] * orientation[m, j]) / componentShapes[c * d + j]
          }
        }
      }
      orientation = try Self.polarFactor(f, model: name).transposed
      // MM 2: F = Σₖ Wₖ D (Aₖ⁻¹ − αₖ I), D ← P Rᵀ.
      f = Matrix(rows: d, columns: d)
      for c in 0..<k {
        let g = scatters[c].multiply(orientation)
        var alpha = 0.0
        for j in 0..<d { alpha = max(alpha, 1 / componentShapes[c * d + j]) }
        for j in 0..<d {
          let weight = 1 / componentShapes[c * d + j] - alpha
          for r in 0..<d { f[r, j] += g[r, j] * weight }
        }
      }
      orientation = try Self.polarFactor(f, model: name)
      // Shapes (and VVE's volumes) from diag(Dᵀ Wₖ D), and the target.
      var target = 0.0
      for c in 0..<k {
        let g = scatters[c].multiply(orientation)
        var logSum = 0.0
        for j in 0..<d {
          var s = 0.0
          for r in 0..<d { s += orientation[r, j] * g[r, j] }
          if model == .VVE { s /= mass[c] }
          projected[c * d + j] = s
          logSum += log(s)
        }
        let g0 = exp(logSum / dd)
        if !(g0 > 0) || !g0.isFinite {
          throw MixtureFailure(reason: "the \(name) shape of component \(c + 1) is singular")
        }
        var smallest = Double.infinity
        for j in 0..<d {
          componentShapes[c * d + j] = projected[c * d + j] / g0
          smallest = min(smallest, componentShapes[c * d + j])
        }
        if !(smallest >= rteps) {
          throw MixtureFailure(
            reason: "the \(name) shape of component \(c + 1) is singular (\(smallest))")
        }
        if model == .VVE {
          if !(g0 >= rteps) {
            throw MixtureFailure(reason: "the VVE volume of component \(c + 1) is singular (\(g0))")
          }
          scale[c] = g0
        }
        for j in 0..<d {
          let diagonal = model == .VVE ? projected[c * d + j] * mass[c] : projected[c * d + j]
          target += diagonal / componentShapes[c * d + j]
        }
      }
      if !target.isFinite {
        throw MixtureFailure(reason: "the \(name) orientation iterations diverged")
      }
      let change = abs(target - previous) / (1 + abs(target))
      previous = target
      if !(change > innerTolerance) || inner > 100_000 { break }
    }
    if model == .EVE {
      var total = 0.0
      for m in mass { total += m }
      let lambda = previous / (total * dd)
      if !(lambda > eps) || !lambda.isFinite {
        throw MixtureFailure(reason: "the EVE volume is singular (\(lambda))")
      }
      for c in 0..<k { scale[c] = lambda }
    }
  }

  /// `Σₖ = λₖ D Aₖ Dᵀ` from the state that ``commonOrientationIterations(_:mass:)`` left.
  func commonOrientationCovariance(_ c: Int) -> Matrix {
    var scaled = orientation
    for j in 0..<d {
      let v = scale[c] * componentShapes[c * d + j]
      for r in 0..<d { scaled[r, j] *= v }
    }
    var s = scaled.multiply(orientation, transposeOther: .transpose)
    s.symmetrize(from: .lower)
    return s
  }

  /// The orthogonal factor `P Rᵀ` of `F = P S Rᵀ`, the orthogonal matrix nearest to `F`.
  private static func polarFactor(_ f: Matrix, model: String) throws(MixtureFailure) -> Matrix {
    guard let svd = try? SVD(f) else {
      throw MixtureFailure(reason: "the \(model) orientation has no singular value decomposition")
    }
    return svd.u.multiply(svd.vt)
  }
}
