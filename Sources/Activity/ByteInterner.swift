import Glibc

/// Maps byte strings to dense `Int32` codes (0, 1, 2... in order of first appearance) with an
/// multiply-xorshift hash and open addressing, so that a repeated id costs a hash and a compare, not a
/// `String` allocation. (The same design as Ingest's internal interner.)
struct ByteInterner {
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

  /// Number of distinct keys.
  var count: Int { hashes.count }

  /// The bytes of the key with code `code`.
  func key(_ code: Int32) -> [UInt8] {
    Array(bytes[offsets[Int(code)]..<offsets[Int(code) + 1]])
  }

  /// A multiply-xorshift hash over 8 bytes at a time (the byte-at-a-time FNV-1a chain cost
  /// about 4 cycles per byte on the IRIs of every statement). Codes do not depend on it.
  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
    let n = key.count
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    guard let base = key.baseAddress else { return UInt32(truncatingIfNeeded: h >> 32) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i &+ 8 <= n {
      h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
      h ^= h >> 32
      i &+= 8
    }
    if i < n {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while i < n {
        tail |= UInt64(base[i]) << shift
        shift &+= 8
        i &+= 1
      }
      h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    }
    h ^= h >> 29
    h = h &* 0xFF51_AFD7_ED55_8CCD
    return UInt32(truncatingIfNeeded: h ^ (h >> 32))
  }

  /// The code of `key` and whether it was new.
  @inline(__always)
  mutating func code(for key: UnsafeBufferPointer<UInt8>) -> (code: Int32, isNew: Bool) {
    let h = ByteInterner.hash(key)
    var slot = Int(h) & mask
    while true {
      let existing = slots[slot]
      if existing < 0 { break }
      if hashes[Int(existing)] == h && equals(Int(existing), key) { return (existing, false) }
      slot = (slot + 1) & mask
    }
    let code = Int32(hashes.count)
    bytes.append(contentsOf: key)
    offsets.append(bytes.count)
    hashes.append(h)
    slots[slot] = code
    if hashes.count * 2 > slots.count { grow() }
    return (code, true)
  }

  @inline(__always)
  private func equals(_ code: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = offsets[code]
    let end = offsets[code + 1]
    guard end - start == key.count else { return false }
    guard let kb = key.baseAddress else { return true }
    return bytes.withUnsafeBufferPointer { b in memcmp(b.baseAddress! + start, kb, key.count) == 0 }
  }

  private mutating func grow() {
    let size = slots.count * 2
    slots = [Int32](repeating: -1, count: size)
    mask = size - 1
    for code in 0..<hashes.count {
      var slot = Int(hashes[code]) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(code)
    }
  }
}
