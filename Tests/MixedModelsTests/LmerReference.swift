import Foundation
import Ingest
import Testing
import _TestSupport

@testable import MixedModels

/// Reference values from lme4::lmer (Fixtures/references/make_growth.R).
struct LmerReference {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/references/growth")

  /// model -> (formula, criterion, quantity -> name -> value)
  static let all:
    [String: (formula: String, criterion: String, values: [String: [String: Double]])] =
      {
        guard
          let text = try? String(
            contentsOf: root.appendingPathComponent("expected.csv"), encoding: .utf8)
        else { return [:] }
        var out:
          [String: (formula: String, criterion: String, values: [String: [String: Double]])] =
            [:]
        for line in text.split(separator: "\n").dropFirst() {
          let f = splitQuoted(String(line))
          guard f.count == 6, let v = Double(f[5]) else { continue }
          var entry = out[f[0]] ?? (f[1], f[2], [:])
          entry.values[f[3], default: [:]][f[4]] = v
          out[f[0]] = entry
        }
        return out
      }()

  static func splitQuoted(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    for ch in line {
      if ch == "\"" {
        quoted.toggle()
      } else if ch == "," && !quoted {
        fields.append(current)
        current = ""
      } else {
        current.append(ch)
      }
    }
    fields.append(current)
    return fields
  }

  static func table(_ name: String, grouping: [String]) throws -> ColumnTable {
    try ColumnTableReader().read(
      root.appendingPathComponent(name).path, columns: nil, textColumns: Set(grouping))
  }
}
