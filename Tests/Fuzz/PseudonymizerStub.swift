// Stands in for Sources/Activity/Pseudonymizer.swift in the fuzzer build, which cannot link
// swift-crypto: the same API with FNV-1a instead of HMAC-SHA-256 (never for real data).
import Glibc

public struct Pseudonymizer: Sendable {
  public enum Mode: Sendable, Equatable {
    case keyed
    case unkeyed
  }

  public let mode: Mode
  private let key: [UInt8]

  public init(key: [UInt8]) throws(ActivityError) {
    guard key.count >= 16 else { throw ActivityError.weakKey(byteCount: key.count) }
    self.key = key
    mode = .keyed
  }

  private init() {
    key = []
    mode = .unkeyed
  }

  public static let unkeyed = Pseudonymizer()

  public func pseudonym(_ identity: String) -> String {
    var h: UInt64 = 14_695_981_039_346_656_037
    for b in key + Array(identity.utf8) {
      h ^= UInt64(b)
      h = h &* 1_099_511_628_211
    }
    return hex((0..<8).map { UInt8(truncatingIfNeeded: h >> (8 * UInt64($0))) })
  }

  public static func identity(mbox: String) -> String { "mbox_sha1sum:" + mbox }
  public static func identity(mboxSHA1 sum: String) -> String { "mbox_sha1sum:" + sum.lowercased() }
  public static func identity(account: String) -> String { "account:" + account }
  public static func identity(moodleUser id: String) -> String { "moodle:" + id }

  public func rosterIdentities(_ roster: Roster) -> [String: Int] {
    var map: [String: Int] = [:]
    for (i, t) in roster.teachers.enumerated() {
      if let a = t.xapiAccount { map[pseudonym(Self.identity(account: a))] = i }
    }
    return map
  }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hex(_ bytes: [UInt8]) -> String {
  var out = [UInt8]()
  for b in bytes {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}
