import Crypto
import Glibc
import Ingest

/// Turns personal identifiers (xAPI inverse functional identifiers, Moodle user ids, the
/// roster's log identities) into pseudonyms: lower-case hex HMAC-SHA-256 of the identity under
/// a programme secret.
///
/// The same key gives the same pseudonym in every run and wave, so activity can be followed
/// over time; without the key a pseudonym cannot be reversed by hashing a list of likely
/// e-mail addresses (a dictionary attack), which plain SHA-1 or SHA-256 would allow.
///
/// Identities are canonical strings: `mbox_sha1sum:<40 hex, lower case>` (an `mbox` is first
/// turned into the SHA-1 of its `mailto:` IRI, as xAPI defines `mbox_sha1sum`, so both forms
/// of one address agree), `openid:<IRI>`, `account:<homePage>|<name>` and `moodle:<userid>`.
public struct Pseudonymizer: Sendable {
  /// How pseudonyms are made.
  public enum Mode: Sendable, Equatable {
    /// HMAC-SHA-256 under a secret key (the only mode fit for real data).
    case keyed
    /// Plain SHA-256 of the identity, for synthetic data and tests only: anyone can
    /// recompute it from a list of addresses. Requires `--unkeyed` on the command line.
    case unkeyed
  }

  /// The mode.
  public let mode: Mode
  private let key: [UInt8]?

  /// Keys pseudonyms with `key`, which must hold at least 16 bytes.
  public init(key: [UInt8]) throws(ActivityError) {
    guard key.count >= 16 else { throw ActivityError.weakKey(byteCount: key.count) }
    self.key = key
    mode = .keyed
  }

  private init() {
    key = nil
    mode = .unkeyed
  }

  /// Unkeyed pseudonyms (plain SHA-256): reversible by dictionary, so only for synthetic data.
  public static let unkeyed = Pseudonymizer()

  /// Reads the key from a file: its bytes, without a final line break (so `echo secret > k`
  /// and `printf secret > k` give the same key).
  ///
  /// - Throws: ``ActivityError/unreadableKey(path:reason:)`` or ``ActivityError/weakKey(byteCount:)``.
  public init(keyFile path: String) throws(ActivityError) {
    guard let handle = fopen(path, "rb") else {
      throw ActivityError.unreadableKey(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = fread(&chunk, 1, chunk.count, handle)
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
    try self.init(key: bytes)
  }

  /// The pseudonym of a canonical identity string.
  public func pseudonym(_ identity: String) -> String {
    let digest: [UInt8]
    if let key {
      digest = Array(
        HMAC<SHA256>.authenticationCode(
          for: Array(identity.utf8), using: SymmetricKey(data: key)))
    } else {
      digest = Array(SHA256.hash(data: Array(identity.utf8)))
    }
    return hex(digest)
  }

  /// The canonical identity of an xAPI `mbox` (`mailto:` IRI): its SHA-1, as `mbox_sha1sum`.
  public static func identity(mbox: String) -> String {
    "mbox_sha1sum:" + hex(Array(Insecure.SHA1.hash(data: Array(mbox.utf8))))
  }

  /// The canonical identity of an `mbox_sha1sum`.
  public static func identity(mboxSHA1 sum: String) -> String { "mbox_sha1sum:" + sum.lowercased() }

  /// The canonical identity of an account (`homePage|name`, the roster's `xapi_account` form).
  public static func identity(account homePageAndName: String) -> String {
    "account:" + homePageAndName
  }

  /// The canonical identity of a Moodle user id.
  public static func identity(moodleUser id: String) -> String { "moodle:" + id }

  /// The pseudonyms of every log identity of every roster teacher, mapped to the teacher's
  /// index in `roster.teachers`. Raw identities are hashed here and not kept.
  public func rosterIdentities(_ roster: Roster) -> [String: Int] {
    var map: [String: Int] = [:]
    for (i, t) in roster.teachers.enumerated() {
      if let a = t.xapiAccount { map[pseudonym(Self.identity(account: a))] = i }
      if let s = t.mboxSHA1 { map[pseudonym(Self.identity(mboxSHA1: s))] = i }
      if let u = t.lmsUserID { map[pseudonym(Self.identity(moodleUser: u))] = i }
    }
    return map
  }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hex(_ bytes: [UInt8]) -> String {
  var out = [UInt8]()
  out.reserveCapacity(bytes.count * 2)
  for b in bytes {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}
