import ArgumentParser
import Foundation
import LearningAnalytics

#if canImport(Glibc)
  import Glibc
#endif

/// `--quiet`: no progress bar.
struct ProgressOptions: ParsableArguments {
  @Flag(help: "No progress bar (there is none anyway when standard error is not a terminal).")
  var quiet = false

  /// Whether to draw progress: standard error is a terminal and --quiet was not given.
  var enabled: Bool { Self.enabled(quiet: quiet) }

  static func enabled(quiet: Bool) -> Bool { !quiet && isatty(2) == 1 }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second.
final class ProgressBar {
  let label: String
  let total: Int64
  var lastDraw = 0.0
  let start: Double
  var drawn = false

  init(label: String, total: Int64) {
    self.label = label
    self.total = max(total, 1)
    start = ProgressBar.now()
    lastDraw = start
  }

  static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  func update(_ done: Int64) {
    let t = ProgressBar.now()
    guard t - lastDraw >= 0.1 else { return }
    lastDraw = t
    let fraction = min(1, Double(done) / Double(total))
    let width = 30
    let filled = Int(fraction * Double(width))
    let rate = Double(done) / max(t - start, 1e-9) / 1e6
    let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
    FileHandle.standardError.write(
      Data(
        String(format: "\r%@ [%@] %3.0f%% %.0f MB/s", label, bar, fraction * 100, rate).utf8))
    drawn = true
  }

  /// Clears the line.
  func finish() {
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }
}

/// A byte source that reports how far it has read.
struct ProgressByteSource<Base: ByteSource>: ByteSource {
  var base: Base
  let bar: ProgressBar
  var done: Int64 = 0

  var name: String { base.name }

  mutating func read(into buffer: inout [UInt8], maxCount: Int) throws(IngestError) -> Int {
    let got = try base.read(into: &buffer, maxCount: maxCount)
    done += Int64(got)
    bar.update(done)
    return got
  }
}

/// Reads survey responses, with a progress bar on a terminal for files.
func readResponses(
  _ path: String, instrument: Instrument, roster: Roster? = nil,
  reader: SurveyReader = SurveyReader(),
  progress: ProgressOptions
) throws -> SurveyReader.Result {
  guard progress.enabled, path != "-",
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber
  else {
    return try reader.read(path, instrument: instrument, roster: roster)
  }
  let file = try FileByteSource(path: path)
  defer { file.close() }
  let bar = ProgressBar(
    label: "reading \((path as NSString).lastPathComponent)", total: size.int64Value)
  defer { bar.finish() }
  return try reader.read(
    source: ProgressByteSource(base: file, bar: bar), instrument: instrument, roster: roster)
}

/// A one-line bar for a counted task (model fits, pipeline steps) on standard error:
/// `label [#####     ] 3/7 detail`. Drawn only when created (callers create it only when
/// ``ProgressOptions/enabled``), redrawn at most ten times a second except at each new
/// detail, and cleared by ``finish()``. Safe to update from several threads.
final class CountProgress: @unchecked Sendable {
  let label: String
  let lock = NSLock()
  var lastDraw = 0.0
  var drawn = false
  var lastDetail = ""

  init(label: String) { self.label = label }

  func update(_ done: Int, of total: Int, _ detail: String = "") {
    lock.lock()
    defer { lock.unlock() }
    let t = ProgressBar.now()
    guard detail != lastDetail || t - lastDraw >= 0.1 || done == total else { return }
    lastDraw = t
    lastDetail = detail
    let width = 30
    let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
    FileHandle.standardError.write(
      Data("\r\u{1B}[2K\(label) [\(bar)] \(done)/\(total) \(detail)".utf8))
    drawn = true
  }

  /// Clears the line (once).
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    drawn = false
  }
}

/// Progress over the named steps of a pipeline (`lae analyze`).
final class StepProgress: @unchecked Sendable {
  let bar: CountProgress
  init(label: String) { bar = CountProgress(label: label) }
  /// Step `index` of `count` starts.
  func update(_ step: String, _ index: Int, _ count: Int) { bar.update(index, of: count, step) }
  func finish() { bar.finish() }
}
