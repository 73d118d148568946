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
      self.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
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
      self.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
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
    createdAt = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
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

  private enum Keys: String, CodingKey { case provenance }

  /// Encodes the body's fields and `provenance` in one object.
  public func encode(to encoder: any Encoder) throws {
    try body.encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encode(provenance, forKey: .provenance)
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
