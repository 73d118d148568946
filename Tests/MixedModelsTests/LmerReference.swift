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

  /// One model's reference values: formula, criterion, quantity -> name -> value.
  typealias Entry = (formula: String, criterion: String, values: [String: [String: Double]])

  /// model -> entry, from expected.csv.
  static let all = load("growth/expected.csv")

  /// A reference table under Fixtures/references (columns model, formula, criterion,
  /// quantity, name, value; quoted fields allowed); empty when the file is missing.
  static func load(_ path: String) -> [String: Entry] {
    let url = root.deletingLastPathComponent().appendingPathComponent(path)
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
    var out: [String: Entry] = [:]
    for line in text.split(separator: "\n").dropFirst() {
      let f = splitQuoted(String(line))
      guard f.count == 6, let v = Double(f[5]) else { continue }
      var entry = out[f[0]] ?? (f[1], f[2], [:])
      entry.values[f[3], default: [:]][f[4]] = v
      out[f[0]] = entry
    }
    return out
  }

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

  /// The data set `name` as a table: quoted cells are text, others numbers (empty = missing).
  /// A plain parser keeps debug-build tests fast; `ColumnTableReader` is checked against it.
  static func table(_ name: String) throws -> ColumnTable {
    let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    let header = splitQuoted(lines[0])
    let rows = lines.dropFirst().map { line -> [String] in
      let cells = splitQuoted(line)
      return cells
    }
    let quotedColumns = Set(
      (lines.count > 1 ? lines[1] : "").split(separator: ",", omittingEmptySubsequences: false)
        .enumerated().filter { $0.element.hasPrefix("\"") }.map { header[$0.offset] })
    var numeric: [String: [Double]] = [:]
    var textColumns: [String: [String]] = [:]
    for (j, name) in header.enumerated() {
      if quotedColumns.contains(name) {
        textColumns[name] = rows.map { $0[j] }
      } else {
        numeric[name] = rows.map { Double($0[j]) ?? .nan }
      }
    }
    return ColumnTable(numeric: numeric, text: textColumns)
  }
}

/// The largest error seen per quantity, shared by a suite's parameterised cases. Swift
/// Testing runs those cases in parallel, so every access goes through a lock (an unguarded
/// dictionary here crashed a CI run with a corrupted buffer).
final class WorstErrors: @unchecked Sendable {
  private let lock = NSLock()
  private var worst: [String: Double] = [:]

  func note(_ quantity: String, _ error: Double) {
    lock.lock()
    defer { lock.unlock() }
    worst[quantity] = max(worst[quantity] ?? 0, error)
  }

  /// (quantity, worst error) sorted by quantity.
  var sorted: [(key: String, value: Double)] {
    lock.lock()
    defer { lock.unlock() }
    return worst.sorted { $0.key < $1.key }
  }
}
