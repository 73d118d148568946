// Reliability of every area of an item matrix (keys file), timed after loading: the
// library's side of Benchmarks/peers/reliability-vs-peers.sh.
//   swift run -c release reliability-timing DIR [REPEATS]
import Foundation
import LearningAnalytics

let args = CommandLine.arguments
guard args.count > 1 else {
  FileHandle.standardError.write(Data("usage: reliability-timing DIR [REPEATS]\n".utf8))
  exit(64)
}
let dir = args[1]
let repeats = args.count > 2 ? Int(args[2]) ?? 3 : 3
BLASConfiguration.setThreadCount(1)
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let (_, keyRows) = try CSVRows.read("\(dir)/keys.csv")
var scales: [String] = []
var members: [String: [(String, Int)]] = [:]
for row in keyRows {
  if members[row[1]] == nil { scales.append(row[1]) }
  members[row[1], default: []].append((row[0], Int(row[2]) ?? 1))
}
let loadStart = now()
let table = try NumericTableReader().read("\(dir)/items.csv", columns: nil)
let loadTime = now() - loadStart
var observedMin = Double.infinity
var observedMax = -Double.infinity
for v in table.values where !v.isNaN {
  observedMin = min(observedMin, v)
  observedMax = max(observedMax, v)
}
let responses = ItemResponses(
  items: table.names,
  values: Matrix(rows: table.rows, columns: table.names.count, columnMajor: table.values))
let itemScales = scales.map { scale in
  let list = members[scale] ?? []
  return ItemScale(name: scale, items: list.map(\.0), keys: list.map(\.1))
}
// Reversal between the observed extremes of all items, as the peers' scripts do.
let bounds = (observedMin, observedMax)
@MainActor func run(threads: Int) -> (time: Double, first: Double) {
  var times: [Double] = []
  var first = 0.0
  for _ in 0..<repeats {
    let t = now()
    let areas = AreaReliability.compute(
      responses, scales: itemScales, minimum: bounds.0, maximum: bounds.1,
      threads: threads)
    times.append(now() - t)
    first = areas.first?.reliability?.rawAlpha ?? .nan
  }
  return (times.sorted()[times.count / 2], first)
}
let one = run(threads: 1)
let two = run(threads: 2)
print(
  String(
    format:
      "lae ReliabilityAnalysis (8 areas, full psych output): %.3f s; first alpha %.6f; 2 threads %.3f s; load %.2f s",
    one.time, one.first, two.time, loadTime))
