import Crypto
import Foundation
import MatrixCore
import Optimization

/// Where a published number came from: engine version, command line, inputs with their
/// SHA-256, seed, BLAS configuration and time.
///
/// Every JSON output of `lae` carries one under the key `provenance`, so that a number in a
/// paper can be traced back to the exact files and settings that produced it.
public struct Provenance: Codable, Sendable, Equatable {
  /// One input file and its fingerprint.
  public struct InputFile: Codable, Sendable, Equatable {
    /// The path as given (or `-` for standard input).
    public let path: String
    /// Lower-case hex SHA-256 of the bytes read.
    public let sha256: String
    /// Number of bytes read.
    public let byteCount: Int

    /// Fingerprints bytes that were read from `path`.
    public init(path: String, contents: some Sequence<UInt8>) {
      var hasher = SHA256()
      var count = 0
      var buffer = [UInt8]()
      buffer.reserveCapacity(1 << 16)
      for byte in contents {
        buffer.append(byte)
        if buffer.count == 1 << 16 {
          hasher.update(data: buffer)
          count += buffer.count
          buffer.removeAll(keepingCapacity: true)
        }
      }
      hasher.update(data: buffer)
      count += buffer.count
      self.path = path
      self.byteCount = count
      self.sha256 = Self.hex(hasher.finalize())
    }

    /// Lower-case hexadecimal digits of `bytes` (`String(format: "%02x")` per byte casts
    /// each argument to `CVarArg` at run time).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
      let digits = Array("0123456789abcdef".utf8)
      var out = [UInt8]()
      for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
      }
      return String(decoding: out, as: UTF8.self)
    }

    /// Reads and fingerprints the file at `path` in 1 MiB chunks.
    ///
    /// - Throws: ``ReportingError/unreadableFile(path:reason:)``.
    public init(hashingFileAt path: String) throws {
      guard let handle = FileHandle(forReadingAtPath: path) else {
        throw ReportingError.unreadableFile(
          path: path, reason: "it does not exist or cannot be opened")
      }
      defer { try? handle.close() }
      var hasher = SHA256()
      var count = 0
      while true {
        let chunk: Data
        do {
          guard let next = try handle.read(upToCount: 1 << 20), !next.isEmpty else { break }
          chunk = next
        } catch {
          throw ReportingError.unreadableFile(path: path, reason: "\(error)")
        }
        hasher.update(data: chunk)
        count += chunk.count
      }
      self.path = path
      self.byteCount = count
      self.sha256 = Self.hex(hasher.finalize())
    }
  }

  /// Version of the engine that produced the output (`lae --version`).
  public let laeVersion: String
  /// The command line, argument by argument.
  public let commandLine: [String]
  /// The input files, in the order given.
  public let inputs: [InputFile]
  /// The random seed, when the command used one.
  public let seed: UInt64?
  /// The BLAS/LAPACK build and thread count in force.
  public let blas: BLASConfiguration
  /// NLopt's version.
  public let nloptVersion: String
  /// When the output was made, ISO 8601 in UTC.
  public let createdAt: String

  /// Records provenance now.
  public init(
    commandLine: [String], inputs: [InputFile] = [], seed: UInt64? = nil, date: Date = Date()
  ) {
    laeVersion = EngineVersion.string
    self.commandLine = commandLine
    self.inputs = inputs
    self.seed = seed
    blas = BLASConfiguration.current
    nloptVersion = NLoptLibrary.version
    createdAt = Self.iso8601(date)
  }

  /// `date` as `2026-11-30T15:04:05Z` (whole seconds, UTC), as
  /// `Date.ISO8601FormatStyle(includingFractionalSeconds: false)` writes it, without loading
  /// a calendar.
  static func iso8601(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    guard gmtime_r(&seconds, &parts) != nil else {
      return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
    func two(_ x: Int32) -> String { x < 10 ? "0\(x)" : "\(x)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
      + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }
}

extension Provenance {
  // Written by hand with `JSONKey` (the synthesized `CodingKeys` cost a conformance scan each).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(laeVersion, forKey: "laeVersion")
    try c.encode(commandLine, forKey: "commandLine")
    try c.encode(inputs, forKey: "inputs")
    try c.encodeIfPresent(seed, forKey: "seed")
    try c.encode(blas, forKey: "blas")
    try c.encode(nloptVersion, forKey: "nloptVersion")
    try c.encode(createdAt, forKey: "createdAt")
  }
}

extension Provenance.InputFile {
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: JSONKey.self)
    try c.encode(path, forKey: "path")
    try c.encode(sha256, forKey: "sha256")
    try c.encode(byteCount, forKey: "byteCount")
  }
}

/// A JSON document: the body's fields with a `provenance` block beside them.
public struct ProvenancedDocument<Body: Encodable>: Encodable {
  /// Where the body came from.
  public let provenance: Provenance
  /// The command's result.
  public let body: Body

  /// Pairs a result with its provenance.
  public init(provenance: Provenance, body: Body) {
    self.provenance = provenance
    self.body = body
  }

  /// Encodes the body's fields and `provenance` in one object.
  public func encode(to encoder: any Encoder) throws {
    try body.encode(to: encoder)
    var container = encoder.container(keyedBy: JSONKey.self)
    try container.encode(provenance, forKey: "provenance")
  }

  /// Pretty-printed JSON with sorted keys (``JSONText``). Non-finite numbers throw rather
  /// than leak.
  public func jsonString() throws -> String { try JSONText.encode(self) }
}

/// A problem reading or writing a report's files.
public enum ReportingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A file could not be read.
  case unreadableFile(path: String, reason: String)

  /// A full sentence naming the file and the problem.
  public var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "\(path): error: cannot read the file: \(reason)."
    }
  }
}
