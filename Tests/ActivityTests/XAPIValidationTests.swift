import Testing

@testable import Activity

/// 2025-01-01T00:00:00Z: "now" for the no-future rule, so tests never depend on the clock.
let testNow: Int64 = 1_735_689_600_000

let actor = #""actor":{"mbox":"mailto:ana@example.org"}"#
let verb = #""verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en":"completed"}}"#
let object = #""object":{"id":"https://lms.example/course/1"}"#
let time = #""timestamp":"2024-03-04T10:00:00.000Z""#

func statement(_ parts: String...) -> String { "{" + parts.joined(separator: ",") + "}" }

func read(_ text: String, keyed: Bool = true) throws -> ActivityLog {
  let p = keyed ? try Pseudonymizer(key: Array("0123456789abcdef-test".utf8)) : nil
  return try XAPIReader(pseudonymizer: p, now: testNow).read(
    bytes: Array(text.utf8), name: "s.jsonl")
}

/// The one problem found in a one-statement file.
func problem(_ text: String) throws -> String? {
  let log = try read(text)
  #expect(log.report.read == 1)
  return log.report.issues.first?.description
}

@Suite("xAPI validation")
struct XAPIValidationTests {
  @Test func acceptsAMinimalStatement() throws {
    let log = try read(statement(actor, verb, object, time))
    #expect(log.report.isClean)
    #expect(log.table.count == 1)
    #expect(log.table.verbs == ["http://adlnet.gov/expapi/verbs/completed"])
    #expect(log.table.timestamp == [1_709_546_400_000])
    #expect(log.table.actors[0].count == 64)  // a pseudonym, never the address
    #expect(!log.table.actors[0].contains("ana"))
  }

  @Test func acceptsAJSONArrayAcrossLines() throws {
    let text =
      "[\n  " + statement(actor, verb, object, time) + ",\n  "
      + statement(actor, verb, object, #""timestamp":"2024-03-04T12:00:00+02:00""#) + "\n]\n"
    let log = try read(text)
    #expect(log.report.format == "xapi-array")
    #expect(log.report.accepted == 2)
    #expect(log.table.timestamp == [1_709_546_400_000, 1_709_546_400_000])
  }

  @Test func requiresActorVerbObject() throws {
    #expect(
      try problem(statement(verb, object, time))
        == "s.jsonl:1:1: error: the statement has no 'actor'; xAPI requires actor, verb and object."
    )
    #expect(
      try problem(statement(actor, object, time))
        == "s.jsonl:1:1: error: the statement has no 'verb'; xAPI requires actor, verb and object.")
    #expect(
      try problem(statement(actor, verb, time))
        == "s.jsonl:1:1: error: the statement has no 'object'; xAPI requires actor, verb and object."
    )
    #expect(
      try problem(statement(actor, #""verb":"completed""#, object, time))
        == "s.jsonl:1:51: error: 'verb' must be an object.")
  }

  @Test func rejectsInvalidJSON() throws {
    #expect(
      try problem("{\"actor\": }")?.hasPrefix(
        "s.jsonl:1:1: error: the statement is not valid JSON: ") == true)
    #expect(try problem("[1]") == "s.jsonl:1:2: error: a statement must be a JSON object.")
  }

  @Test func exactlyOneInverseFunctionalIdentifier() throws {
    let two =
      #""actor":{"mbox":"mailto:a@b.org","account":{"homePage":"https://lms.example","name":"7"}}"#
    #expect(
      try problem(statement(two, verb, object, time))
        == "s.jsonl:1:10: error: 'actor' has 2 inverse functional identifiers (mbox, account); an Agent or Group needs exactly one of mbox, mbox_sha1sum, openid, account."
    )
    #expect(
      try problem(statement(#""actor":{"name":"Ana"}"#, verb, object, time))
        == "s.jsonl:1:10: error: 'actor' has no inverse functional identifier; an Agent needs exactly one of mbox, mbox_sha1sum, openid, account."
    )
    #expect(
      try problem(statement(#""actor":{"mbox":"ana@example.org"}"#, verb, object, time))
        == "s.jsonl:1:18: error: 'actor.mbox' must be a mailto: IRI with an address (mailto:name@example.org)."
    )
    #expect(
      try problem(statement(#""actor":{"mbox_sha1sum":"abc"}"#, verb, object, time))
        == "s.jsonl:1:26: error: 'actor.mbox_sha1sum' must be 40 hexadecimal digits (the SHA-1 of the mailto: IRI)."
    )
    #expect(
      try problem(statement(#""actor":{"account":{"name":"7"}}"#, verb, object, time))
        == "s.jsonl:1:21: error: 'actor.account' must be an object with string 'homePage' (an IRL) and 'name'."
    )
    #expect(
      try problem(statement(#""actor":{"objectType":"Group"}"#, verb, object, time))
        == "s.jsonl:1:10: error: 'actor' is an anonymous Group (no inverse functional identifier) and needs a non-empty 'member' array."
    )
    let group = #""actor":{"objectType":"Group","member":[{"mbox":"mailto:a@b.org"}]}"#
    let log = try read(statement(group, verb, object, time))
    #expect(log.report.isClean && log.report.skipped == 1 && log.table.count == 0)
  }

  @Test func verbIdIsAnAbsoluteIRI() throws {
    let bad = #""verb":{"id":"completed","display":{"en":"completed"}}"#
    #expect(
      try problem(statement(actor, bad, object, time))
        == "s.jsonl:1:57: error: verb id 'completed' is not an absolute IRI (e.g. http://adlnet.gov/expapi/verbs/completed); meaning comes from the IRI, never from 'display'."
    )
    #expect(
      try problem(statement(actor, #""verb":{"display":{"en":"x"}}"#, object, time))
        == "s.jsonl:1:51: error: 'verb' has no 'id'; a verb is identified by its IRI.")
  }

  @Test func objectRules() throws {
    #expect(
      try problem(statement(actor, verb, #""object":{"id":"not an iri"}"#, time))
        == "s.jsonl:1:145: error: object id 'not an iri' is not an absolute IRI.")
    #expect(
      try problem(statement(actor, verb, #""object":{"objectType":"Thing"}"#, time))
        == "s.jsonl:1:153: error: 'object.objectType' 'Thing' is unknown; expected Activity, Agent, Group, StatementRef or SubStatement."
    )
  }

  @Test func timestampRules() throws {
    #expect(
      try problem(statement(actor, verb, object, #""timestamp":"2024-03-04T10:00:00""#))
        == "s.jsonl:1:189: error: timestamp '2024-03-04T10:00:00' is not ISO 8601 with a time zone (e.g. 2024-01-13T03:33:30.759Z)."
    )
    #expect(
      try problem(statement(actor, verb, object, #""timestamp":"2024-03-04T10:00:00-00:00""#))
        == "s.jsonl:1:189: error: timestamp '2024-03-04T10:00:00-00:00' uses the offset -00:00, which xAPI forbids; use Z or +00:00."
    )
    #expect(
      try problem(statement(actor, verb, object, #""timestamp":"2025-06-01T00:00:00Z""#))
        == "s.jsonl:1:189: error: timestamp '2025-06-01T00:00:00Z' is in the future; xAPI forbids future timestamps."
    )
    #expect(
      try problem(statement(actor, verb, object))
        == "s.jsonl:1:1: error: the statement has neither 'timestamp' nor 'stored'; an activity event needs a time."
    )
    let stored = try read(statement(actor, verb, object, #""stored":"2024-03-04T10:00:00Z""#))
    #expect(stored.report.isClean && stored.table.timestamp == [1_709_546_400_000])
  }

  @Test func durationRules() throws {
    for (text, seconds) in [
      ("PT1H30M", 5400.0), ("PT45.5S", 45.5), ("P1DT2H", 93_600), ("PT0S", 0),
    ] {
      let log = try read(statement(actor, verb, object, time, #""result":{"duration":"\#(text)"}"#))
      #expect(log.report.isClean, "\(text)")
      #expect(log.table.duration.first == seconds, "\(text)")
    }
    for bad in ["1H", "PT", "P", "PT1.5H2M", "P1H", "PT1M1H", "PT-1S"] {
      let message = try problem(
        statement(actor, verb, object, time, #""result":{"duration":"\#(bad)"}"#))
      #expect(
        message
          == "s.jsonl:1:237: error: duration '\(bad)' is not an ISO 8601 duration (e.g. PT1H30M or PT45.5S).",
        "\(bad)")
    }
  }

  @Test func scoreRules() throws {
    func score(_ s: String) -> String {
      statement(actor, verb, object, time, #""result":{"score":{\#(s)}}"#)
    }
    #expect(
      try problem(score(#""scaled":1.5"#))
        == "s.jsonl:1:244: error: result.score.scaled 1.5 is outside [-1, 1].")
    #expect(
      try problem(score(#""raw":12,"min":0,"max":10"#))
        == "s.jsonl:1:241: error: result.score.raw 12 is outside [min, max] = [0, 10].")
    #expect(
      try problem(score(#""raw":5,"min":10,"max":0"#))
        == "s.jsonl:1:249: error: result.score.min 10 is greater than max 0.")
    #expect(
      try problem(score(#""scaled":"0.5""#))
        == "s.jsonl:1:244: error: 'result.score.scaled' must be a number.")
    let ok = try read(score(#""scaled":-1,"raw":0,"min":0,"max":10"#))
    #expect(ok.report.isClean && ok.table.scaled == [-1])
  }

  @Test func versionAndID() throws {
    #expect(
      try problem(statement(#""version":"2.0.0""#, actor, verb, object, time))
        == "s.jsonl:1:12: error: version '2.0.0' is not supported; xAPI 1.0.3 accepts 1.0.x only.")
    #expect(try read(statement(#""version":"1.0.3""#, actor, verb, object, time)).report.isClean)
    #expect(
      try problem(statement(#""id":"123""#, actor, verb, object, time))
        == "s.jsonl:1:7: error: statement id '123' is not a UUID (8-4-4-4-12 hexadecimal digits).")
  }

  @Test func voidingRemovesTheTarget() throws {
    let id = "6fbd600f-d17c-4c74-801a-2ec2e53231c9"
    let voider = "e1c7e5a4-1b3c-4a50-9a2d-5c0e3f0b7a11"
    let voidVerb = #""verb":{"id":"http://adlnet.gov/expapi/verbs/voided"}"#
    let lines = [
      statement(#""id":"\#(id)""#, actor, verb, object, time),
      statement(actor, verb, object, time),
      statement(
        #""id":"\#(voider)""#, actor, voidVerb,
        #""object":{"objectType":"StatementRef","id":"\#(id)"}"#, time),
    ]
    let log = try read(lines.joined(separator: "\n"))
    #expect(log.report.isClean)
    #expect(log.report.voiding == 1 && log.report.voided == 1 && log.table.count == 1)
    // A voiding statement's object must be a StatementRef.
    #expect(
      try problem(statement(actor, voidVerb, object, time))
        == "s.jsonl:1:107: error: a voiding statement's object must be a StatementRef (objectType 'StatementRef' and the id of the statement to void)."
    )
    // Voiding a voiding statement is refused.
    let twice =
      lines + [
        statement(
          actor, voidVerb, #""object":{"objectType":"StatementRef","id":"\#(voider)"}"#, time)
      ]
    let log2 = try read(twice.joined(separator: "\n"))
    #expect(
      log2.report.issues.map(\.description) == [
        "s.jsonl:4:1: error: statement e1c7e5a4-1b3c-4a50-9a2d-5c0e3f0b7a11 is itself a voiding statement and cannot be voided."
      ])
  }

  @Test func validationOnlyKeepsNothing() throws {
    let log = try read(statement(actor, verb, object, time), keyed: false)
    #expect(log.report.accepted == 1 && log.table.count == 0 && log.table.actors.isEmpty)
  }
}

@Suite("xAPI regressions")
struct XAPIRegressionTests {
  /// Found by the fuzzer: a StatementRef's UUID, once seen, made a later Activity whose id is
  /// that UUID (not an IRI) pass when reading into the table but fail when validating only.
  @Test func statementRefDoesNotWhitelistAnActivityID() throws {
    let id = "6fbd600f-d17c-4c74-801a-2ec2e53231c9"
    let lines = [
      statement(actor, verb, #""object":{"objectType":"StatementRef","id":"\#(id)"}"#, time),
      statement(actor, verb, #""object":{"id":"\#(id)"}"#, time),
    ].joined(separator: "\n")
    let kept = try read(lines)
    let checked = try read(lines, keyed: false)
    #expect(kept.report == checked.report)
    #expect(kept.report.rejected == 1 && kept.table.count == 1)
    #expect(kept.table.objects[Int(kept.table.object[0])] == "statement:\(id)")
  }
}

@Suite("UUID syntax")
struct UUIDSyntaxTests {
  func parse(_ s: String) -> StatementID? {
    Array(s.utf8).withUnsafeBufferPointer { Syntax.uuid($0) }
  }

  @Test func digitsAndDashes() {
    let id = parse("0123abcd-EF45-6789-aBcD-0123456789fF")
    #expect(id?.high == 0x0123_ABCD_EF45_6789 && id?.low == 0xABCD_0123_4567_89FF)
    for bad in [
      "0123abcd-ef45-6789-abcd-0123456789f", "0123abcd-ef45-6789-abcd-0123456789fg",
      "0123abcd+ef45-6789-abcd-0123456789ff", "0123abcdef45-6789-abcd-0123456789ff0",
      "g123abcd-ef45-6789-abcd-0123456789ff", "0123abcd-ef45-6789-abc/-0123456789ff",
      "0123abcd-ef45-6789-abc:-0123456789ff", "0123abcd-ef45-6789-abc@-0123456789ff",
      "0123abcd-ef45-6789-abc`-0123456789ff", "",
    ] {
      #expect(parse(bad) == nil, "\(bad)")
    }
  }
}
