// libFuzzer entry point over the full read-and-validate path of survey ingest.
// Built by `make fuzz` with `swiftc -sanitize=fuzzer,address` together with the Ingest
// sources (one module), so it exercises exactly the library's code.
//
// Properties checked beyond "no crash, no hang": reading in 1-byte, 3-byte and whole chunks
// gives the same table and report; every reported location lies inside the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let control = data[0]
  let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  let layouts: [SurveyReader.Layout] = [.automatic, .long, .wide]
  let reader = SurveyReader(
    layout: layouts[Int(control % 3)], delimiter: control & 0x10 == 0 ? "," : ";",
    decimalComma: control & 0x20 != 0, maxErrors: 1 + Int(control >> 6) * 50)
  let instrument = fuzzInstrument
  let roster = control & 0x08 != 0 ? fuzzRoster : nil
  let whole = try? reader.read(
    source: MemoryByteSource(bytes, name: "fuzz.csv"), instrument: instrument, roster: roster)
  if bytes.count <= 4096 {
    for chunk in [1, 3] {
      let chunked = try? reader.read(
        source: MemoryByteSource(bytes, name: "fuzz.csv", chunkSize: chunk), instrument: instrument,
        roster: roster)
      if chunked?.table != whole?.table || chunked?.report != whole?.report {
        fatalError("chunk size \(chunk) changed the result")
      }
    }
  }
  if let report = whole?.report {
    let lineCount = bytes.filter { $0 == 10 }.count + 1
    for issue in report.issues where issue.line < 1 || issue.line > lineCount || issue.column < 1 {
      fatalError("issue outside the input: \(issue)")
    }
  }
  _ = try? RosterReader().read(source: MemoryByteSource(bytes, name: "fuzz-roster.csv"))
  return 0
}

let fuzzInstrument: Instrument = {
  guard let instrument = try? Instrument.bundled("school-self-reflection") else {
    fatalError("bundled instrument must load")
  }
  return instrument
}()

let fuzzRoster = Roster(
  schools: [.init(id: "S1", name: "One", hub: "H1"), .init(id: "S2", name: "Two", hub: "H2")],
  teachers: [.init(id: "T1", school: "S1")])
