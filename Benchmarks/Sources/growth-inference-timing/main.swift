// Satterthwaite inference timed after the fit, on a simulated panel (GrowthPanel):
//   swift run -c release growth-inference-timing [SCHOOLS] [REPEATS]
// Prints the fit time, then the time of Fit.inference() (df, t and F tests, intervals for all
// fixed effects) and of Fit.varianceExplained, best of REPEATS.
import BenchmarkSupport
import Foundation
import LearningAnalytics

let args = CommandLine.arguments
let schools = args.count > 1 ? Int(args[1]) ?? 10_000 : 10_000
let repeats = args.count > 2 ? Int(args[2]) ?? 5 : 5
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

BLASConfiguration.setThreadCount(1)
let table = GrowthPanel.table(schools: schools)
var t = now()
let fit = try LinearMixedModel(formula: try ModelFormula(GrowthPanel.formula)).fit(table)
let fitTime = now() - t
var best = Double.infinity
var bestR2 = Double.infinity
var inference = fit.inference()
for _ in 0..<repeats {
  t = now()
  inference = fit.inference()
  best = min(best, now() - t)
  t = now()
  let r2 = fit.varianceExplained
  bestR2 = min(bestR2, now() - t)
  precondition(r2.r2Conditional > 0)
}
print("\(GrowthPanel.formula); \(schools) schools x 5 waves, \(fit.observationCount) rows")
print(String(format: "fit (REML)                       %.3f s", fitTime))
print(String(format: "inference (Satterthwaite, all)   %.3f s (best of %d)", best, repeats))
print(String(format: "varianceExplained (R2, ICC)      %.3f s", bestR2))
for c in inference.coefficients {
  print(
    String(format: "  %-20@ df %10.3f  p %.3g", c.term as NSString, c.degreesOfFreedom, c.pValue))
}
for f in inference.terms {
  print(
    String(
      format: "  F %-18@ %d, %.3f  p %.3g", f.term as NSString,
      f.numeratorDegreesOfFreedom, f.denominatorDegreesOfFreedom, f.pValue))
}

// AR(1) residuals (as nlme's corAR1) on the same panel: the fit, timed once.
//   growth-inference-timing SCHOOLS REPEATS ar1 [CSV]  (CSV: writes the panel for nlme)
if args.count > 3 && args[3] == "ar1" {
  if args.count > 4 {
    var csv = "school,sector,wave,score\n"
    let school = table.column("school")
    let sector = table.column("sector")
    if case .text(let sc, let sl)? = school, case .text(let kc, let kl)? = sector,
      case .numeric(let w)? = table.column("wave"), case .numeric(let y)? = table.column("score")
    {
      for i in 0..<table.rowCount {
        csv += "\(sl[Int(sc[i])]),\(kl[Int(kc[i])]),\(w[i]),\(y[i])\n"
      }
    }
    try csv.write(toFile: args[4], atomically: true, encoding: .utf8)
  }
  let model = LinearMixedModel(
    formula: try ModelFormula(GrowthPanel.formula),
    residualCorrelation: .ar1(time: "wave", group: "school"))
  // CPU time as well: on a shared machine the elapsed time varies with the other load.
  func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
  t = now()
  let cpu = cpuNow()
  let ar1 = try model.fit(table)
  let ar1Time = now() - t
  let ar1CPU = cpuNow() - cpu
  print(
    String(
      format:
        "fit with AR(1) residuals (REML)  %.3f s (cpu %.3f s)  phi %.5f  logLik %.4f  "
        + "evaluations %d",
      ar1Time, ar1CPU, ar1.residualStructure?.parameters["phi"] ?? .nan, ar1.logLikelihood,
      ar1.optimization.evaluationCount))
}
