import Foundation
import MatrixCore

extension LinearMixedModel.Fit {
  /// Everything at θ̂, from the blocked Cholesky factor (Bates et al. 2015, eqs. 16-18).
  init(
    model: LinearMixedModel, frame: ModelFrame, pls: PenalizedLeastSquares,
    optimization: LinearMixedModel.OptimizationSummary, checks: [LinearMixedModel.Diagnostic] = [],
    residual: (structure: ResidualCovariance, parameters: [Double])? = nil,
    residualWald: [LinearMixedModel.ResidualWald] = []
  ) throws {
    let theta = optimization.theta
    guard pls.factor(theta) else {
      throw MixedModelError.numericalFailure("the system is not positive definite at θ̂")
    }
    let reml = model.criterion == .reml
    let n = pls.n
    let p = pls.p
    let width = p + 1
    // With a residual structure `pls` holds the prewhitened system: add log|DRD|.
    let crit =
      pls.criterion(reml: reml)
      + (residual.map { $0.structure.logDeterminant($0.parameters[...]) } ?? 0)
    let sigma2 = pls.penalizedRSS / Double(reml ? n - p : n)
    let sigma = sigma2.squareRoot()
    let dense = pls.denseFactor

    // β̂ from Rₓβ̂ = c_β, with Rₓ = Lₓᵀ.
    let lx = Matrix(rows: p, columns: p) { i, j in dense[i, j] }
    let cb = Vector((0..<p).map { dense[p, $0] })
    let beta = p > 0 ? try lx.solveTriangular(cb, triangle: .lower, transpose: .transpose) : cb
    // Var(β̂) = σ²(LₓLₓᵀ)⁻¹.
    var vcov = Matrix(rows: p, columns: p)
    if p > 0 {
      let lxInverse = try lx.solveTriangular(Matrix.identity(p), triangle: .lower)
      vcov = sigma2 * lxInverse.crossProduct()
    }
    fixedEffects = (0..<p).map { j in
      LinearMixedModel.FixedEffect(
        term: frame.fixedNames[j], estimate: beta[j], standardError: vcov[j, j].squareRoot())
    }
    fixedEffectsCovariance = vcov

    // Spherical modes u: Lᵀu = c_u − L_Xᵀβ̂, back-substituted from the coarsest factor.
    let count = pls.factors.count
    var u: [[Double]] = pls.factors.map { [Double](repeating: 0, count: $0.levels * $0.q) }
    for k in stride(from: count - 1, through: 0, by: -1) {
      let f = pls.factors[k]
      let q = f.q
      let lk = pls.lkk[k]
      let lxk = pls.lxk[k]
      for l in 0..<f.levels {
        var rhs = [Double](repeating: 0, count: q)
        for c in 0..<q {
          var s = lxk[l * q * width + p + c * width]
          for r in 0..<p { s -= beta[r] * lxk[l * q * width + r + c * width] }
          rhs[c] = s
        }
        for j in (k + 1)..<max(k + 1, count) {
          let qj = pls.factors[j].q
          let pj = Int(f.parents[j]?[l] ?? 0)
          let a = pls.ljk[k][j]
          for c in 0..<q {
            var s = 0.0
            for r in 0..<qj { s += a[l * qj * q + r + c * qj] * u[j][pj * qj + r] }
            rhs[c] -= s
          }
        }
        // Lₖₖᵀ x = rhs (upper triangular).
        for c in stride(from: q - 1, through: 0, by: -1) {
          var s = rhs[c]
          for m in (c + 1)..<max(c + 1, q) { s -= lk[l * q * q + m + c * q] * rhs[m] }
          rhs[c] = s / lk[l * q * q + c + c * q]
        }
        for c in 0..<q { u[k][l * q + c] = rhs[c] }
      }
    }

    // b = Λu, conditional variances σ²Λ[(LLᵀ)⁻¹]ₗₗΛᵀ, fitted values.
    var fitted = frame.x.multiply(beta).elements
    var modes: [LinearMixedModel.ConditionalModes] = []
    for k in 0..<count {
      let f = pls.factors[k]
      let q = f.q
      let lam = pls.lambda[k]
      let codes = frame.factors[k].codes
      let z = frame.factors[k].z
      var values: [[Double]] = []
      var sds: [[Double]] = []
      values.reserveCapacity(f.levels)
      var b = [Double](repeating: 0, count: f.levels * q)
      for l in 0..<f.levels {
        var row = [Double](repeating: 0, count: q)
        for r in 0..<q {
          var s = 0.0
          for c in 0...r { s += lam[r + c * q] * u[k][l * q + c] }
          row[r] = s
          b[l * q + r] = s
        }
        values.append(row)
        sds.append(
          PenalizedLeastSquares.conditionalVariance(pls, factor: k, level: l).map {
            ($0 * sigma2).squareRoot()
          })
      }
      for i in 0..<n {
        let l = Int(codes[i])
        var s = 0.0
        for c in 0..<q { s += z[i * q + c] * b[l * q + c] }
        fitted[i] += s
      }
      modes.append(
        LinearMixedModel.ConditionalModes(
          group: frame.factors[k].name, terms: frame.factors[k].blocks.flatMap { $0 },
          levels: frame.factors[k].levels, values: values, standardDeviations: sds))
    }
    conditionalModes = modes
    fittedValues = fitted
    residuals = zip(frame.y, fitted).map { $0 - $1 }

    // Variance components per block: σ²ΛΛᵀ.
    var components: [LinearMixedModel.VarianceComponent] = []
    var diagnostics: [LinearMixedModel.Diagnostic] = []
    var t = 0
    for k in 0..<count {
      let f = pls.factors[k]
      let q = f.q
      let lam = pls.lambda[k]
      var start = 0
      for block in frame.factors[k].blocks {
        let w = block.count
        var cov = [[Double]](repeating: [Double](repeating: 0, count: w), count: w)
        for r in 0..<w {
          for c in 0..<w {
            var s = 0.0
            for m in 0..<q { s += lam[start + r + m * q] * lam[start + c + m * q] }
            cov[r][c] = s * sigma2
          }
        }
        let sd = (0..<w).map { cov[$0][$0].squareRoot() }
        let cor = (0..<w).map { r in
          (0..<w).map { c in
            r == c ? 1.0 : (sd[r] > 0 && sd[c] > 0 ? cov[r][c] / (sd[r] * sd[c]) : .nan)
          }
        }
        components.append(
          LinearMixedModel.VarianceComponent(
            group: f.levels > 0 ? frame.factors[k].name : "", terms: block,
            standardDeviations: sd, correlation: cor))
        // lme4's isSingular: a bounded θ within 1e-4 of its bound.
        let entries = w * (w + 1) / 2
        var singular = false
        for e in 0..<entries where pls.lowerBounds[t + e] == 0 && theta[t + e] < 1e-4 {
          singular = true
        }
        if singular {
          diagnostics.append(
            .singular(
              term: "("
                + block.map { $0 == "(Intercept)" ? "1" : $0 }.joined(separator: " + ")
                + " | \(frame.factors[k].name))"))
        }
        t += entries
        start += w
      }
    }
    randomEffects = components

    if !optimization.converged {
      diagnostics.append(.notConverged(status: "\(optimization.status)"))
    }
    diagnostics.append(contentsOf: checks)
    if !frame.droppedFixedNames.isEmpty {
      diagnostics.append(.rankDeficient(dropped: frame.droppedFixedNames))
    }

    formula = model.formula.text
    criterion = model.criterion
    observationCount = n
    droppedRowCount = frame.droppedRowCount
    groups = frame.factors.map { ($0.name, $0.levels.count) }
    droppedFixedEffects = frame.droppedFixedNames
    residualStandardDeviation = sigma
    self.theta = theta
    logLikelihood = -crit / 2
    remlCriterion = reml ? crit : nil
    deviance = crit
    let npar = Double(p + theta.count + 1 + (residual?.structure.parameterCount ?? 0))
    aic = crit + 2 * npar
    bic = crit + log(Double(n)) * npar
    rowIndices = frame.rows
    self.optimization = optimization
    categoricalLevels = frame.categoricalLevels
    self.model = model
    self.frame = frame
    self.residual = residual
    self.residualWald = residualWald
    residualStructure = residual.map {
      $0.structure.structure($0.parameters, wald: residualWald, level: 0.95)
    }

    for d in diagnostics {
      switch d {
      case .singular where model.checks.singular == .fail: throw d
      case .notConverged, .gradient, .hessianNotPositiveDefinite:
        if model.checks.convergence == .fail { throw d }
      default: break
      }
    }
    self.diagnostics = diagnostics
  }
}

extension PenalizedLeastSquares {
  /// Diagonal of `Λ[(LLᵀ)⁻¹]ₗₗΛᵀ` for level `level` of factor `k` (multiply by σ²): the
  /// block column of L⁻¹ is non-zero only at the level and its ancestors.
  static func conditionalVariance(_ pls: PenalizedLeastSquares, factor k: Int, level l: Int)
    -> [Double]
  {
    let f = pls.factors[k]
    let q = f.q
    let count = pls.factors.count
    let lam = pls.lambda[k]
    if pls.scalar[k] {
      // Nested random intercepts: every block is a number; the sums below, in their order.
      var w = 1.0 / pls.lkk[k][l]
      var v = w * w
      var sum = 0.0  // Σ over finer-to-coarser rows times their W, for the next factor
      var level = l
      var previous: [(w: Double, level: Int, factor: Int)] = [(w, l, k)]
      for j in (k + 1)..<count {
        level = Int(f.parents[j]?[l] ?? 0)
        sum = 0
        for (wm, lm, m) in previous { sum += pls.ljk[m][j][lm] * wm }
        w = -sum / pls.lkk[j][level]
        v += w * w
        previous.append((w, level, j))
      }
      return [lam[0] * v * lam[0]]
    }
    if k + 1 >= count {
      // No coarser factor (a single grouping factor, or the coarsest): V = WₖᵀWₖ, the same
      // sums as below in scratch space (one array per level instead of six).
      let lk = pls.lkk[k]
      let base = l * q * q
      return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * q * q) { s in
        let v = q * q
        for c in 0..<q {
          for r in 0..<c { s[r + c * q] = 0 }
          for r in c..<q {
            var acc = r == c ? 1.0 : 0.0
            for m in c..<r { acc -= lk[base + r + m * q] * s[m + c * q] }
            s[r + c * q] = acc / lk[base + r + r * q]
          }
        }
        for c in 0..<q {
          for r in 0..<q {
            var acc = 0.0
            for t in 0..<q { acc += s[t + r * q] * s[t + c * q] }
            s[v + r + c * q] = acc
          }
        }
        return (0..<q).map { i in
          var acc = 0.0
          for a in 0..<q {
            for b in 0..<q { acc += lam[i + a * q] * s[v + a + b * q] * lam[i + b * q] }
          }
          return acc
        }
      }
    }
    // W_k = L_kk⁻¹ (lower triangular inverse).
    var w = [[Double]](repeating: [], count: count)
    var wk = [Double](repeating: 0, count: q * q)
    let lk = pls.lkk[k]
    for c in 0..<q {
      for r in c..<q {
        var s = r == c ? 1.0 : 0.0
        for m in c..<r { s -= lk[l * q * q + r + m * q] * wk[m + c * q] }
        wk[r + c * q] = s / lk[l * q * q + r + r * q]
      }
    }
    w[k] = wk
    var levelOf = [Int](repeating: 0, count: count)
    levelOf[k] = l
    for j in (k + 1)..<max(k + 1, count) { levelOf[j] = Int(f.parents[j]?[l] ?? 0) }
    for j in (k + 1)..<max(k + 1, count) {
      let qj = pls.factors[j].q
      var s = [Double](repeating: 0, count: qj * q)
      for m in k..<j {
        let qm = pls.factors[m].q
        let lm = levelOf[m]
        let a = pls.ljk[m][j]
        let wm = w[m]
        for c in 0..<q {
          for r in 0..<qj {
            var acc = 0.0
            for t in 0..<qm { acc += a[lm * qj * qm + r + t * qj] * wm[t + c * qm] }
            s[r + c * qj] += acc
          }
        }
      }
      // W_j = −L_jj⁻¹ s (forward substitution per column).
      let lj = pls.lkk[j]
      let pj = levelOf[j]
      var wj = [Double](repeating: 0, count: qj * q)
      for c in 0..<q {
        for r in 0..<qj {
          var v = -s[r + c * qj]
          for m in 0..<r { v -= lj[pj * qj * qj + r + m * qj] * wj[m + c * qj] }
          wj[r + c * qj] = v / lj[pj * qj * qj + r + r * qj]
        }
      }
      w[j] = wj
    }
    // V = Σ Wᵀ W  (q × q), then diag(Λ V Λᵀ).
    var v = [Double](repeating: 0, count: q * q)
    for (j, wj) in w.enumerated() where !wj.isEmpty {
      let qj = pls.factors[j].q
      for c in 0..<q {
        for r in 0..<q {
          var acc = 0.0
          for t in 0..<qj { acc += wj[t + r * qj] * wj[t + c * qj] }
          v[r + c * q] += acc
        }
      }
    }
    return (0..<q).map { i in
      var acc = 0.0
      for a in 0..<q {
        for b in 0..<q { acc += lam[i + a * q] * v[a + b * q] * lam[i + b * q] }
      }
      return acc
    }
  }
}
