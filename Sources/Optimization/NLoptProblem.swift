import MatrixCore
internal import _CNLopt

/// The one file that calls NLopt: builds an `nlopt_opt`, runs it, and frees it.
enum NLoptProblem {
  struct Raw {
    let x: [Double]
    let minimum: Double
    let status: MinimizationStatus
  }

  static func run(
    algorithm: DerivativeFreeMinimizer.Algorithm, start: [Double], lower: [Double],
    upper: [Double], settings: DerivativeFreeMinimizer, box: ObjectiveBox
  ) throws -> Raw {
    let n = UInt32(start.count)
    guard let opt = nlopt_create(algorithm.nlopt, n) else {
      throw OptimizationError.nloptFailure(code: Int(NLOPT_OUT_OF_MEMORY.rawValue))
    }
    defer { nlopt_destroy(opt) }
    var lo = lower
    var hi = upper
    _ = nlopt_set_lower_bounds(opt, &lo)
    _ = nlopt_set_upper_bounds(opt, &hi)
    _ = nlopt_set_ftol_abs(opt, settings.absoluteFunctionTolerance)
    _ = nlopt_set_ftol_rel(opt, settings.relativeFunctionTolerance)
    _ = nlopt_set_xtol_rel(opt, settings.relativeParameterTolerance)
    var xtol = [Double](repeating: settings.absoluteParameterTolerance, count: start.count)
    _ = nlopt_set_xtol_abs(opt, &xtol)
    _ = nlopt_set_maxeval(opt, Int32(clamping: settings.maxEvaluations))
    if var step = settings.initialStep { _ = nlopt_set_initial_step(opt, &step) }

    let context = Unmanaged.passUnretained(box).toOpaque()
    let callback: nlopt_func = { count, x, _, data in
      guard let data, let x else { return .nan }
      let box = Unmanaged<ObjectiveBox>.fromOpaque(data).takeUnretainedValue()
      let point = Vector(Array(UnsafeBufferPointer(start: x, count: Int(count))))
      box.evaluations += 1
      do {
        let value = try box.objective(point)
        if value.isNaN {
          box.error = OptimizationError.nonFiniteObjective(at: point.elements)
          if let h = box.handle { _ = nlopt_force_stop(h) }
          return .nan
        }
        return value
      } catch {
        box.error = error
        if let h = box.handle { _ = nlopt_force_stop(h) }
        return .nan
      }
    }
    let set = nlopt_set_min_objective(opt, callback, context)
    guard set == NLOPT_SUCCESS else {
      throw OptimizationError.nloptFailure(code: Int(set.rawValue))
    }
    box.handle = opt
    defer { box.handle = nil }
    var x = start
    var minimum = Double.nan
    let result = withExtendedLifetime(box) { nlopt_optimize(opt, &x, &minimum) }
    if box.error != nil { return Raw(x: x, minimum: minimum, status: .forcedStop) }
    switch result {
    case NLOPT_SUCCESS: return Raw(x: x, minimum: minimum, status: .success)
    case NLOPT_STOPVAL_REACHED: return Raw(x: x, minimum: minimum, status: .stopValueReached)
    case NLOPT_FTOL_REACHED: return Raw(x: x, minimum: minimum, status: .functionToleranceReached)
    case NLOPT_XTOL_REACHED: return Raw(x: x, minimum: minimum, status: .parameterToleranceReached)
    case NLOPT_MAXEVAL_REACHED: return Raw(x: x, minimum: minimum, status: .maxEvaluationsReached)
    case NLOPT_MAXTIME_REACHED: return Raw(x: x, minimum: minimum, status: .maxTimeReached)
    case NLOPT_ROUNDOFF_LIMITED: return Raw(x: x, minimum: minimum, status: .roundoffLimited)
    case NLOPT_FORCED_STOP: return Raw(x: x, minimum: minimum, status: .forcedStop)
    case NLOPT_INVALID_ARGS, NLOPT_OUT_OF_MEMORY:
      throw OptimizationError.nloptFailure(code: Int(result.rawValue))
    default: return Raw(x: x, minimum: minimum, status: .failure)
    }
  }
}

extension DerivativeFreeMinimizer.Algorithm {
  var nlopt: nlopt_algorithm {
    switch self {
    case .bobyqa: return NLOPT_LN_BOBYQA
    case .nelderMead: return NLOPT_LN_NELDERMEAD
    case .subplex: return NLOPT_LN_SBPLX
    case .cobyla: return NLOPT_LN_COBYLA
    }
  }
}

/// The linked NLopt library.
public enum NLoptLibrary {
  /// NLopt's version, as `major.minor.bugfix` (`nlopt_version`).
  public static var version: String {
    var major: Int32 = 0
    var minor: Int32 = 0
    var bugfix: Int32 = 0
    nlopt_version(&major, &minor, &bugfix)
    return "\(major).\(minor).\(bugfix)"
  }
}
