import Foundation
import Testing
import _TestSupport

@testable import Ingest

@Suite("Reading survey CSV")
struct CSVReadingTests {
  @Test func readsLongLayoutWithCodes() throws {
    let text =
      header
      + "S1,r1,teacher,1,A1,4\nS1,r1,teacher,1,A2,NA\nS1,r2,student,1,A1,PNS\nS2,r1,teacher,2,B1,\n"
    let result = try read(text)
    #expect(result.report.isClean)
    let t = result.table
    #expect(t.count == 4)
    #expect(t.schools == ["S1", "S2"])
    #expect(t.respondents == ["r1", "r2"])
    #expect(
      t.value == [
        3, SurveyTable.Value.notApplicable, SurveyTable.Value.preferNotToSay,
        SurveyTable.Value.skipped,
      ])
    #expect(t.group == [0, 0, 1, 0])
    #expect(t.item == [0, 1, 0, 2])
    #expect(t.score(at: 0) == 4)
    #expect(t.score(at: 1) == nil)
  }

  @Test func reverseKeyedScores() throws {
    let result = try read(header + "S1,r1,teacher,1,A2,2\n")
    #expect(result.table.score(at: 0) == 4)  // 1 + 5 - 2
  }

  @Test func headerOrderIsFreeAndExtraColumnsAreAttributes() throws {
    let text = "value,item,grade,wave,group,respondent,school\n3,A1,7,1,student,r1,S1\n"
    let result = try read(text)
    #expect(result.report.isClean)
    #expect(result.table.attributeNames == ["grade"])
    #expect(result.table.attributes["grade"] == [0])
    #expect(result.table.attributeValues == ["7"])
  }

  @Test func quotingBOMAndCRLF() throws {
    let text =
      "\u{FEFF}school,respondent,group,wave,item,value,note\r\n"
      + "\"S,1\",r1,teacher,1,A1,3,\"said \"\"hi\"\"\r\nand left\"\r\n"
      + "S2,r1,teacher,1,A1,5,plain"  // no final line break
    let result = try read(text)
    #expect(result.report.isClean, "\(result.report.text)")
    #expect(result.table.schools == ["S,1", "S2"])
    #expect(result.table.attributeValues == ["said \"hi\"\r\nand left", "plain"])
  }

  @Test func decimalCommaAndSemicolon() throws {
    let text =
      "school;respondent;group;wave;item;value\nS1;r1;teacher;1;A1;3,0\nS1;r1;teacher;1;B1;4\n"
    let result = try read(text, reader: SurveyReader(delimiter: ";", decimalComma: true))
    #expect(result.report.isClean, "\(result.report.text)")
    #expect(result.table.value == [2, 3])
  }

  @Test func wideLayoutIsDetected() throws {
    let text =
      "school,respondent,group,wave,A1,A2,B1,B5\nS1,r1,teacher,1,1,2,,NA\nS1,r2,student,1,5,,,\n"
    let result = try read(text)
    #expect(result.report.layout == "wide")
    #expect(result.report.isClean, "\(result.report.text)")
    #expect(result.table.count == 4)
    #expect(result.report.answersAccepted == 4)
    #expect(result.report.rowsAccepted == 2)
  }

  @Test(arguments: [1, 2, 3, 7, 64])
  func chunkBoundariesNeverChangeTheTable(chunkSize: Int) throws {
    var text = "\u{FEFF}" + "school,respondent,group,wave,item,value,note\r\n"
    var rng = SplitMix64Stub(seed: UInt64(chunkSize))
    for i in 0..<300 {
      let note = i % 7 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "n\(i % 5)"
      let item = ["A1", "A2", "B1", "B5"][i % 4]
      let crlf = rng.next() % 2 == 0 ? "\r\n" : "\n"
      text += "S\(i % 9),r\(i / 4),teacher,\(1 + i % 3),\(item),\(1 + i % 5),\(note)\(crlf)"
    }
    let whole = try read(text)
    let chunked = try read(text, chunkSize: chunkSize)
    #expect(whole.report.isClean, "\(whole.report.text)")
    #expect(chunked.table == whole.table)
    #expect(chunked.report == whole.report)
  }

  @Test(arguments: [1, 5, 1 << 20])
  func errorLocationsDoNotDependOnChunks(chunkSize: Int) throws {
    let text =
      header
      + "S1,r1,teacher,1,A1,3\nS1,r1,teacher,1,\"A2\"x,3\nS1,\"r\n2\",teacher,1,A9,3\nS1,r3,teacher,1,A1,9\n"
    let result = try read(text, chunkSize: chunkSize)
    #expect(
      result.report.issues.map(\.description) == [
        "r.csv:3:21: error: stray quote; a field containing '\"' must be quoted as a whole, with '\"\"' for each quote.",
        "r.csv:5:14: error: unknown item code 'A9'; it is not in instrument 'tiny'.",
        "r.csv:6:20: error: value '9' is not on scale 's5' of item 'A1'; expected one of: 1, 2, 3, 4, 5, NA, PNS, or empty.",
      ])
    #expect(result.report.rowsRead == 4)
    #expect(result.report.rowsAccepted == 1)
  }
}

/// A local generator so this file needs nothing else.
struct SplitMix64Stub {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
