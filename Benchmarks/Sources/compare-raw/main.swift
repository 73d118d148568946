// Interleaved timing of the library against the raw C calls, in one process with 1 BLAS
// thread: each round runs the library and the raw call back to back (alternating which goes
// first), and the table reports the median of each and their ratio.
//
//   swift run -c release compare-raw [rounds]
import BenchmarkSupport
import Foundation
import LearningAnalytics

RawCalls.setBLASThreads(1)
let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 15 : 15

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct Row {
  let name: String
  let library: Double
  let raw: Double
}
var rows: [Row] = []

func compare(_ name: String, library: () throws -> Void, raw: () -> Void) rethrows -> Row {
  try library()
  raw()  // warm up
  var lib: [Double] = []
  var rawTimes: [Double] = []
  for round in 0..<rounds {
    func timeLibrary() throws {
      let t = now()
      try library()
      lib.append(Double(now() - t) / 1e6)
    }
    func timeRaw() {
      let t = now()
      raw()
      rawTimes.append(Double(now() - t) / 1e6)
    }
    if round % 2 == 0 {
      try timeLibrary()
      timeRaw()
    } else {
      timeRaw()
      try timeLibrary()
    }
  }
  FileHandle.standardError.write(Data("done: \(name)\n".utf8))
  return Row(name: name, library: median(lib), raw: median(rawTimes))
}

for n in [512, 2048] {
  var rng = SplitMix64(seed: UInt64(n))
  let a = Matrix.randomNormal(rows: n, columns: n, using: &rng)
  let b = Matrix.randomNormal(rows: n, columns: n, using: &rng)
  let ae = a.elements
  let be = b.elements
  var c = [Double](repeating: 0, count: n * n)
  rows.append(
    try compare(
      "GEMM n=\(n)", library: { withExtendedLifetime(a * b) {} },
      raw: { RawCalls.dgemm(n, ae, be, &c) }))
}
do {
  let n = 1000
  var rng = SplitMix64(seed: 1000)
  let a = Matrix.randomSPD(order: n, using: &rng)
  let ae = a.elements
  var work = [Double](repeating: 0, count: n * n)
  rows.append(
    try compare(
      "Cholesky n=\(n)", library: { _ = try Cholesky(a) },
      raw: { _ = RawCalls.dpotrf(n, ae, &work) }))
}
do {
  let n = 500
  var rng = SplitMix64(seed: 500)
  let a = Matrix.randomSPD(order: n, using: &rng)
  let ae = a.elements
  var buffers = RawCalls.EigenBuffers(n: n)
  rows.append(
    try compare(
      "SymmetricEigen n=\(n)", library: { _ = try SymmetricEigen(a) },
      raw: { _ = RawCalls.dsyevr(n, ae, &buffers) }))
}

print("| operation | library median (ms) | raw C median (ms) | library / raw |")
print("|---|---:|---:|---:|")
for r in rows {
  print(String(format: "| %@ | %.2f | %.2f | %.3f |", r.name, r.library, r.raw, r.library / r.raw))
}
print(
  "\n\(rounds) interleaved rounds each, 1 BLAS thread, \(BLASConfiguration.current.buildConfiguration)"
)
