import Foundation
import Testing

@testable import Reporting

@Suite("JSONText: pretty-printed JSON as JSONEncoder writes it")
struct JSONTextTests {
  struct Inner: Encodable {
    let name: String
    let values: [Double]
    let missing: Int?
    let flags: [Bool]
  }

  struct Outer: Encodable {
    let zeta: Int
    let alpha: [Inner]
    let byName: [String: Double]
    let empty: [Int]
    let text: String
    let raw: JSONText.Fragment
    let unsigned: UInt8
    let small: Float
  }

  static let sample = Outer(
    zeta: -3,
    alpha: [
      Inner(name: "a/b", values: [3.0, 0.1, 1e-05, 1e20, -2.5], missing: nil, flags: [true]),
      Inner(name: "é \"q\" \\ \n\t\u{01}", values: [], missing: 7, flags: [false, true]),
    ],
    byName: ["b": 2, "a": 1.5, "B": 0], empty: [], text: "",
    raw: JSONText.Fragment("[1,{\"x\":null}]"), unsigned: 255, small: 0.5)

  @Test func sameDocumentAsJSONEncoder() throws {
    let ours = try JSONText.encode(Self.sample)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let theirs = try encoder.encode(Self.sample)
    let a = try JSONSerialization.jsonObject(with: Data(ours.utf8)) as? NSDictionary
    let b = try JSONSerialization.jsonObject(with: theirs) as? NSDictionary
    // JSONEncoder writes the fragment as a string; everything else is the same document.
    let bRaw = try JSONSerialization.jsonObject(with: Data("[1,{\"x\":null}]".utf8))
    let bFixed = b?.mutableCopy() as? NSMutableDictionary
    bFixed?["raw"] = bRaw
    #expect(a == bFixed)
  }

  @Test func layoutNumbersAndEscapes() throws {
    let text = try JSONText.encode(Self.sample)
    #expect(
      text.hasPrefix("{\n  \"alpha\" : [\n    {\n      \"flags\" : [\n        true\n      ],"))
    #expect(
      text.contains("\"values\" : [\n        3,\n        0.1,\n        1e-05,\n        1e+20,"))
    #expect(text.contains("\"name\" : \"a/b\""))
    #expect(text.contains(#""name" : "é \"q\" \\ \n\t\u0001""#))
    #expect(text.contains("\"empty\" : [],"))
    #expect(text.contains("\"raw\" : [1,{\"x\":null}],"))
    #expect(!text.contains("missing\" : null"))  // nil optionals are left out, as synthesized
    #expect(text.contains("\"byName\" : {\n    \"B\" : 0,\n    \"a\" : 1.5,\n    \"b\" : 2\n  },"))
  }

  @Test func nonFiniteNumbersThrow() {
    struct Bad: Encodable { let x = [1.0, .nan] }
    #expect(throws: EncodingError.self) { try JSONText.encode(Bad()) }
  }
}
