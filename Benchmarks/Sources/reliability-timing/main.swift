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
var times: [Double] = []
var first = 0.0
for _ in 0..<repeats {
  let t = now()
  for (s, scale) in scales.enumerated() {
    let list = members[scale] ?? []
    let columns = list.map { m in table.names.firstIndex(of: m.0) ?? 0 }
    var elements: [Double] = []
    elements.reserveCapacity(table.rows * list.count)
    for c in columns {
      elements.append(contentsOf: table.values[(c * table.rows)..<((c + 1) * table.rows)])
    }
    let matrix = Matrix(rows: table.rows, columns: list.count, columnMajor: elements)
    let fit = try ReliabilityAnalysis().fit(
      ItemResponses(items: list.map(\.0), values: matrix)
        .reversed(keys: list.map(\.1), minimum: observedMin, maximum: observedMax))
    if s == 0 { first = fit.rawAlpha }
  }
  times.append(now() - t)
}
let median = times.sorted()[times.count / 2]
print(
  String(
    format:
      "lae ReliabilityAnalysis (8 areas, full psych output): %.3f s; first alpha %.6f; load %.2f s",
    median, first, loadTime))
