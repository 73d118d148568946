import Glibc

/// Maps byte strings to dense `Int32` codes (0, 1, 2... in order of first appearance) with an
/// FNV-1a hash and open addressing, so that a repeated id costs a hash and a compare, not a
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

  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
    var h: UInt32 = 2_166_136_261
    for b in key {
      h ^= UInt32(b)
      h = h &* 16_777_619
    }
    return h
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
