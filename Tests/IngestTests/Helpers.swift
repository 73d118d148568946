import Foundation

@testable import Ingest

/// A tiny instrument for tests: two areas, two groups, a 1-5 scale with NA and PNS.
func tinyInstrument() -> Instrument {
  Instrument(
    id: "tiny", version: "1", name: "Tiny",
    groups: [.init(id: "teacher", name: "Teachers"), .init(id: "student", name: "Students")],
    areas: [.init(id: "A", name: "Area A", order: 1), .init(id: "B", name: "Area B", order: 2)],
    scales: [
      .init(
        id: "s5",
        options: (1...5).map { .init(value: "\($0)", label: "\($0)", score: Double($0)) },
        missingCodes: [
          .init(value: "NA", kind: .notApplicable), .init(value: "PNS", kind: .preferNotToSay),
        ])
    ],
    items: [
      .init(code: "A1", area: "A", groups: ["teacher", "student"], scale: "s5"),
      .init(code: "A2", area: "A", groups: ["teacher", "student"], scale: "s5", reverse: true),
      .init(code: "B1", area: "B", groups: ["teacher"], scale: "s5"),
      .init(code: "B5", area: "B", groups: ["teacher"], optional: true, scale: "s5"),
    ])
}

/// Reads CSV text with the given reader settings.
func read(
  _ text: String, reader: SurveyReader = SurveyReader(), chunkSize: Int = 1 << 20,
  roster: Roster? = nil, name: String = "r.csv"
) throws -> SurveyReader.Result {
  try reader.read(
    source: MemoryByteSource(Array(text.utf8), name: name, chunkSize: chunkSize),
    instrument: tinyInstrument(), roster: roster)
}

/// Reads raw bytes.
func read(bytes: [UInt8], name: String = "r.csv") throws -> SurveyReader.Result {
  try SurveyReader().read(source: MemoryByteSource(bytes, name: name), instrument: tinyInstrument())
}

let header = "school,respondent,group,wave,item,value\n"
