import Glibc

/// Maps byte strings to dense `Int32` codes (0, 1, 2... in order of first appearance), with an
/// FNV-1a hash and open addressing, so that a repeated id costs a hash and a compare, not a
/// `String` allocation.
struct Interner: Sendable {
  private(set) var strings: [String] = []
  private var bytes: [UInt8] = []
  private var offsets: [Int] = [0]
  private var slots: [Int32]
  private var hashes: [UInt32] = []
  private var mask: Int

  init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
  }

  var count: Int { strings.count }

  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
    var h: UInt32 = 2_166_136_261
    for b in key {
      h ^= UInt32(b)
      h = h &* 16_777_619
    }
    return h
  }

  /// The code of `key`, inserting it when new; `nil` when a new key is not valid UTF-8.
  @inline(__always)
  mutating func code(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
    let h = Interner.hash(key)
    var slot = Int(h) & mask
    while true {
      let existing = slots[slot]
      if existing < 0 { break }
      if hashes[Int(existing)] == h && equals(Int(existing), key) { return existing }
      slot = (slot + 1) & mask
    }
    guard let string = String(validating: key, as: UTF8.self) else { return nil }
    let code = Int32(strings.count)
    strings.append(string)
    bytes.append(contentsOf: key)
    offsets.append(bytes.count)
    hashes.append(h)
    slots[slot] = code
    if strings.count * 2 > slots.count { grow() }
    return code
  }

  /// The code of `key` if present, without inserting.
  func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    let h = Interner.hash(key)
    var slot = Int(h) & mask
    while true {
      let existing = slots[slot]
      if existing < 0 { return nil }
      if hashes[Int(existing)] == h && equals(Int(existing), key) { return existing }
      slot = (slot + 1) & mask
    }
  }

  /// The code of `string`, inserting it when new.
  mutating func code(for string: String) -> Int32 {
    var s = string
    return s.withUTF8 { code(for: $0) } ?? -1
  }

  @inline(__always)
  private func equals(_ code: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = offsets[code]
    let end = offsets[code + 1]
    guard end - start == key.count else { return false }
    return bytes.withUnsafeBufferPointer { b in
      var k = 0
      while k < key.count {
        if b[start + k] != key[k] { return false }
        k += 1
      }
      return true
    }
  }

  private mutating func grow() {
    let size = slots.count * 2
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    for code in 0..<strings.count {
      var slot = Int(hashes[code]) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(code)
    }
  }
}

/// An ``Interner`` that first compares with the previous key: in files sorted by respondent,
/// most ids repeat the row before, and a short compare is cheaper than a hash.
struct CachedInterner: Sendable {
  private(set) var interner: Interner
  private var last: [UInt8] = []
  private var lastCode: Int32 = -1

  init(capacity: Int = 1024) { interner = Interner(capacity: capacity) }

  var strings: [String] { interner.strings }

  @inline(__always)
  private func isLast(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
    guard lastCode >= 0, key.count == last.count else { return false }
    return last.withUnsafeBufferPointer { bytesEqual($0, key) }
  }

  @inline(__always)
  private mutating func remember(_ key: UnsafeBufferPointer<UInt8>, _ code: Int32) {
    last.removeAll(keepingCapacity: true)
    last.append(contentsOf: key)
    lastCode = code
  }

  /// The code of `key`, inserting it when new; `nil` when a new key is not valid UTF-8.
  @inline(__always)
  mutating func code(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
    if isLast(key) { return lastCode }
    guard let code = interner.code(for: key) else { return nil }
    remember(key, code)
    return code
  }

  /// The code of `key` if present, without inserting.
  @inline(__always)
  mutating func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    if isLast(key) { return lastCode }
    guard let code = interner.lookup(key) else { return nil }
    remember(key, code)
    return code
  }

  /// The code of `string`, inserting it when new.
  mutating func code(for string: String) -> Int32 { interner.code(for: string) }
}

/// Whether two byte ranges hold the same bytes (`memcmp`).
@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
  guard a.count == b.count else { return false }
  guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
  if a.count <= 16 {
    for k in 0..<a.count where pa[k] != pb[k] { return false }
    return true
  }
  return memcmp(pa, pb, a.count) == 0
}

/// Codes of short byte strings (at most 7 bytes, packed by ``ScaleLookup/pack(_:)``) in a small
/// open-addressing table: a lookup is a multiply and a compare or two, with no hashing of bytes.
struct ShortKeyTable: Sendable {
  private var keys: [UInt64]
  private var values: [Int32]
  private let mask: Int
  private let shift: UInt64

  /// A table of the strings of at most 7 bytes in `strings`, each mapped to its index.
  init(_ strings: [String]) {
    var size = 16
    var bits: UInt64 = 4
    while size < strings.count * 4 {
      size <<= 1
      bits += 1
    }
    keys = [UInt64](repeating: .max, count: size)  // no packed key has a length byte of 0xFF
    values = [Int32](repeating: -1, count: size)
    mask = size - 1
    shift = 64 - bits
    for (code, s) in strings.enumerated() where s.utf8.count <= 7 {
      let key = Array(s.utf8).withUnsafeBufferPointer { ScaleLookup.pack($0) }
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
      while keys[slot] != .max && keys[slot] != key { slot = (slot + 1) & mask }
      if keys[slot] == .max {
        keys[slot] = key
        values[slot] = Int32(code)
      }
    }
  }

  /// The code of the packed `key`, or `nil` when no string of the table has these bytes.
  @inline(__always)
  func lookup(_ key: UInt64) -> Int32? {
    keys.withUnsafeBufferPointer { k in
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
      while true {
        let found = k[slot]
        if found == key { return values[slot] }
        if found == .max { return nil }
        slot = (slot + 1) & mask
      }
    }
  }
}
