// Scoring of a wide response file into school x group x wave aggregates, timed after
// loading: the library's side of Benchmarks/peers/scoring-vs-pandas.sh.
//   swift run -c release scoring-timing DIR [REPEATS]
import Foundation
import LearningAnalytics

let args = CommandLine.arguments
guard args.count > 1 else {
  FileHandle.standardError.write(Data("usage: scoring-timing DIR [REPEATS]\n".utf8))
  exit(64)
}
let dir = args[1]
let repeats = args.count > 2 ? Int(args[2]) ?? 3 : 3
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU time of this thread: less sensitive than wall time to other processes on the machine.
func cpu() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let instrument = try Instrument.bundled("school-self-reflection")
let loadStart = now()
let read = try SurveyReader().read("\(dir)/responses.csv", instrument: instrument)
let loadTime = now() - loadStart
guard read.report.isClean else {
  print(read.report.text)
  exit(1)
}
var areaTimes: [Double] = []
var fullTimes: [Double] = []
var cells = 0
var firstMean = 0.0
for _ in 0..<repeats {
  // Area scores and their aggregates (what pandas does).
  var t = now()
  let c0 = cpu()
  let scores = AreaScorer().score(read.table)
  let t1 = now()
  let c1 = cpu()
  let summaryOnly = ScoreSummary(scores)
  let t2 = now()
  let c2 = cpu()
  let rows = ScoreAggregation(defaultThreshold: 0).aggregate(summaryOnly)
  areaTimes.append(now() - t)
  if ProcessInfo.processInfo.environment["PHASES"] != nil {
    print(
      String(
        format: "wall: score %.3f summary %.3f aggregate %.3f; thread CPU: %.3f %.3f %.3f",
        t1 - t, t2 - t1, now() - t2, c1 - c0, c2 - c1, cpu() - c2))
  }
  cells = Set(rows.map { $0.cell }).count
  firstMean = rows.first?.mean ?? .nan
  // Everything lae score computes: with item distributions, gaps and wave changes.
  if ProcessInfo.processInfo.environment["AREAS_ONLY"] != nil {
    fullTimes.append(0)
    continue
  }
  t = now()
  let all = AreaScorer().score(read.table)
  let summary = ScoreSummary(all, table: read.table)
  let aggregation = ScoreAggregation(defaultThreshold: 0)
  _ = aggregation.aggregate(summary)
  _ = aggregation.itemDistributions(summary, instrument: instrument)
  _ = aggregation.groupGaps(summary)
  _ = aggregation.waveChanges(summary)
  fullTimes.append(now() - t)
}
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
print(
  String(
    format:
      "lae aggregation (areas + school x group x wave): %.3f s; cells %d; first mean %.6f; load %.2f s; with item distributions, gaps and changes %.3f s",
    median(areaTimes), cells, firstMean, loadTime, median(fullTimes)))
