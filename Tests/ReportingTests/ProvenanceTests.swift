import Foundation
import MatrixCore
import Testing
import _TestSupport

@testable import Reporting

@Suite("Provenance and the environment report")
struct ProvenanceTests {
  @Test func sha256OfKnownInputs() throws {
    // FIPS 180-2 test vector.
    let abc = Provenance.InputFile(path: "-", contents: Array("abc".utf8))
    #expect(abc.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(abc.byteCount == 3)
    let empty = Provenance.InputFile(path: "-", contents: [UInt8]())
    #expect(empty.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }

  @Test func hashingAFileMatchesHashingItsBytes() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("prov-\(UUID()).bin")
    var rng = SplitMix64(seed: 3)
    let bytes = (0..<(3 << 20) + 17).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let fromFile = try Provenance.InputFile(hashingFileAt: url.path)
    let fromBytes = Provenance.InputFile(path: url.path, contents: bytes)
    #expect(fromFile == fromBytes)
    #expect(fromFile.byteCount == bytes.count)
  }

  @Test func missingFileIsATypedError() {
    #expect(throws: ReportingError.self) {
      try Provenance.InputFile(hashingFileAt: "/nonexistent/responses.csv")
    }
  }

  struct Body: Encodable { let answer = 42 }

  @Test func documentFlattensBodyBesideProvenance() throws {
    let provenance = Provenance(commandLine: ["lae", "test"], seed: 7)
    let json = try ProvenancedDocument(provenance: provenance, body: Body()).jsonString()
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    #expect(object?["answer"] as? Int == 42)
    let prov = object?["provenance"] as? [String: Any]
    #expect(prov?["laeVersion"] as? String == EngineVersion.string)
    #expect(prov?["seed"] as? Int == 7)
    #expect((prov?["blas"] as? [String: Any])?["buildConfiguration"] != nil)
  }

  struct NaNBody: Encodable { let value = Double.nan }

  @Test func nanNeverLeaksIntoJSON() {
    let provenance = Provenance(commandLine: ["lae"])
    #expect(throws: EncodingError.self) {
      try ProvenancedDocument(provenance: provenance, body: NaNBody()).jsonString()
    }
  }

  @Test func environmentSelfChecksPass() {
    let report = EnvironmentReport.collect()
    #expect(report.allPassed, "\(report.text)")
    #expect(report.text.contains("BLAS build"))
  }
}
