// libFuzzer entry point over the full read-and-validate path of xAPI statements: simdjson
// through the C++ target, every rule, voiding, the event table, then indicators.
// Built by `make fuzz-activity` with `swiftc -sanitize=fuzzer,address` together with the
// Ingest and Activity sources (one module) and Sources/_CXAPI/cxapi.cpp built with
// -fsanitize=fuzzer-no-link,address. swift-crypto is replaced by PseudonymizerStub.swift
// (same API, a non-cryptographic hash), so only the hash function differs from the library.
//
// Properties checked beyond "no crash, no hang": validating only gives the same report as
// reading into the table; every reported location lies inside the input; every event's codes
// are in range.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzActivity(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let now: Int64 = 1_735_689_600_000
  let kept = try? XAPIReader(pseudonymizer: .unkeyed, maxErrors: 20, now: now).read(
    bytes: bytes, name: "fuzz.jsonl", roster: fuzzRoster)
  let checked = try? XAPIReader(pseudonymizer: nil, maxErrors: 20, now: now).read(
    bytes: bytes, name: "fuzz.jsonl")
  if kept?.report != checked?.report { fatalError("validation-only report differs") }
  guard let log = kept else { return 0 }
  let lineCount = bytes.filter { $0 == 10 }.count + 1
  for issue in log.report.issues where issue.line < 1 || issue.line > lineCount || issue.column < 1
  {
    fatalError("issue outside the input: \(issue)")
  }
  let t = log.table
  for i in 0..<t.count {
    guard Int(t.actor[i]) < t.actors.count, Int(t.verb[i]) < t.verbs.count,
      Int(t.object[i]) < t.objects.count, Int(t.tool[i]) < t.tools.count
    else { fatalError("code out of range in row \(i)") }
  }
  for period in [ActivityIndicators.Period.week, .all] {
    _ = try? ActivityIndicators(sessionGap: 1800, period: period).compute(t, roster: fuzzRoster)
  }
  return 0
}

let fuzzRoster = Roster(
  schools: [.init(id: "S1", name: "One", hub: "H1", timeZone: "Europe/Tallinn")],
  teachers: [.init(id: "T1", school: "S1", xapiAccount: "https://lrs.example|t001")])
