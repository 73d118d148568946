import Foundation
import Testing

@testable import Ingest

/// A file read whole takes the parallel fast path when it is clean, and the general scanner
/// otherwise; the values (and the errors) are those of the general path either way.
@Suite("Numeric table fast path")
struct NumericTableFastPathTests {
  /// Writes `text` to a temporary file and reads `columns` by path (threads 1 and 3) and
  /// through the general scanner; returns the three results.
  func readAllWays(_ text: String, columns: [String]?) throws -> [NumericTableReader.Result] {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("numeric-fast-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    var threaded = NumericTableReader()
    threaded.threadCount = 3
    return [
      try NumericTableReader().read(url.path, columns: columns),
      try threaded.read(url.path, columns: columns),
      try NumericTableReader().read(
        source: MemoryByteSource(Array(text.utf8), name: url.path), columns: columns),
    ]
  }

  @Test func cleanLargeFileMatchesGeneralPath() throws {
    // Over 2 MiB, so that three chunks are parsed; an id column skipped; blank lines; NA.
    var text = "id,x,y,z\n"
    for i in 0..<120_000 {
      text += "u\(i),\(Double(i) / 7),-\(i % 13).25,\(i % 101 == 0 ? "NA" : "\(i)")\n"
      if i % 50_000 == 0 { text += "\n" }
    }
    let results = try readAllWays(text, columns: ["z", "x"])
    #expect(results[0].rows == 120_000)
    for r in results.dropFirst() {
      #expect(r.rows == results[0].rows && r.names == results[0].names)
      #expect(r.values.map(\.bitPattern) == results[0].values.map(\.bitPattern))
    }
  }

  @Test func irregularFilesFallBackWithTheSameResultOrError() throws {
    let cases = [
      "a,b\n1,2\n3,4",  // no final line break
      "a,b\r\n1,2\r\n3,\"4\"\r\n",  // CRLF and quotes: general path
      "a,b\n1,2e3\n",  // exponent: parseNumber's slow path
      "\na,b\n1,2\n",  // blank first line
    ]
    for text in cases {
      let results = try readAllWays(text, columns: nil)
      for r in results.dropFirst() {
        #expect(r.values.map(\.bitPattern) == results[0].values.map(\.bitPattern), "\(text)")
      }
    }
    for bad in ["a,b\n1,2\n3\n", "a,b\n1,x\n"] {
      let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("numeric-bad-\(UUID().uuidString).csv")
      try Data(bad.utf8).write(to: url)
      defer { try? FileManager.default.removeItem(at: url) }
      let general = #expect(throws: IngestError.self) {
        try NumericTableReader().read(
          source: MemoryByteSource(Array(bad.utf8), name: url.path), columns: nil)
      }
      let byPath = #expect(throws: IngestError.self) {
        try NumericTableReader().read(url.path, columns: nil)
      }
      #expect(general.map { "\($0)" } == byPath.map { "\($0)" })
    }
  }
}
