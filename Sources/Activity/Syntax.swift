/// Small syntax checks used by xAPI validation: absolute IRIs, UUIDs, ISO 8601 durations.
enum Syntax {
  /// Whether `s` is an absolute IRI: a scheme (`ALPHA *(ALPHA / DIGIT / + / - / .)`), a colon,
  /// and a non-empty rest without spaces, control characters or `<>"{}|\^` and backtick
  /// (RFC 3987's excluded characters).
  static func isAbsoluteIRI(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = s.count
    guard n >= 3, isAlpha(s[0]) else { return false }
    var i = 1
    while i < n && s[i] != UInt8(ascii: ":") {
      let c = s[i]
      guard isAlpha(c) || (c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46 else {
        return false
      }
      i += 1
    }
    guard i < n - 1 else { return false }
    // The rest: one table lookup per byte, no branch (1 marks an excluded byte).
    let table = ByteTables.shared
    var excluded: UInt8 = 0
    i += 1
    while i < n {
      excluded |= table[ByteTables.iriExcluded + Int(s[i])]
      i += 1
    }
    return excluded == 0
  }

  @inline(__always) static func isAlpha(_ c: UInt8) -> Bool {
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
  }

  @inline(__always) static func hexValue(_ c: UInt8) -> UInt64? {
    switch c {
    case 48...57: return UInt64(c - 48)
    case 97...102: return UInt64(c - 87)
    case 65...70: return UInt64(c - 55)
    default: return nil
    }
  }

  /// The 128 bits of a UUID in the standard 8-4-4-4-12 form, or `nil`. Branch-free over the
  /// 32 digits (every statement has one or two UUIDs): one table lookup per digit, whose
  /// value is the digit's, or 0x80 for a byte that is not a hexadecimal digit.
  static func uuid(_ s: UnsafeBufferPointer<UInt8>) -> StatementID? {
    guard s.count == 36, let b = s.baseAddress,
      b[8] == 45, b[13] == 45, b[18] == 45, b[23] == 45
    else { return nil }
    let table = ByteTables.shared
    var bad: UInt8 = 0
    @inline(__always) func digits(_ from: Int, _ to: Int, _ acc: inout UInt64) {
      for i in from..<to {
        let v = table[Int(b[i])]
        bad |= v
        acc = acc << 4 | UInt64(v & 15)
      }
    }
    var hi: UInt64 = 0
    var lo: UInt64 = 0
    digits(0, 8, &hi)
    digits(9, 13, &hi)
    digits(14, 18, &hi)
    digits(19, 23, &lo)
    digits(24, 36, &lo)
    return bad & 0x80 == 0 ? StatementID(high: hi, low: lo) : nil
  }

  /// Whether `s` is 40 hexadecimal digits.
  static func isSHA1Hex(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    s.count == 40 && s.allSatisfy { hexValue($0) != nil }
  }

  /// Seconds of an ISO 8601 duration (`P[nY][nM][nW][nD][T[nH][nM][nS]]`), or `nil`.
  ///
  /// Only the last component may carry a fraction (`.` or `,`). Years count 365 days and
  /// months 30 days (nominal; xAPI durations of activities are in hours, minutes, seconds).
  static func durationSeconds(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
    let n = s.count
    guard n >= 3, s[0] == UInt8(ascii: "P") else { return nil }
    var i = 1
    var total = 0.0
    var inTime = false
    var components = 0
    var sawFraction = false
    // Allowed designators in order; `rank` enforces the order and no repeats.
    var rank = 0
    while i < n {
      if s[i] == UInt8(ascii: "T") {
        guard !inTime else { return nil }
        inTime = true
        i += 1
        guard i < n else { return nil }  // "T" must be followed by a component
        continue
      }
      guard !sawFraction else { return nil }
      var value = 0.0
      var digits = 0
      while i < n, s[i] >= 48, s[i] <= 57 {
        value = value * 10 + Double(s[i] - 48)
        digits += 1
        i += 1
      }
      if i < n && (s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",")) {
        i += 1
        var scale = 0.1
        var fractionDigits = 0
        while i < n, s[i] >= 48, s[i] <= 57 {
          value += Double(s[i] - 48) * scale
          scale /= 10
          fractionDigits += 1
          i += 1
        }
        guard fractionDigits > 0 else { return nil }
        sawFraction = true
      }
      guard digits > 0, i < n else { return nil }
      let unit: Double
      let r: Int
      switch (s[i], inTime) {
      case (UInt8(ascii: "Y"), false): (unit, r) = (365 * 86_400, 1)
      case (UInt8(ascii: "M"), false): (unit, r) = (30 * 86_400, 2)
      case (UInt8(ascii: "W"), false): (unit, r) = (7 * 86_400, 3)
      case (UInt8(ascii: "D"), false): (unit, r) = (86_400, 4)
      case (UInt8(ascii: "H"), true): (unit, r) = (3600, 5)
      case (UInt8(ascii: "M"), true): (unit, r) = (60, 6)
      case (UInt8(ascii: "S"), true): (unit, r) = (1, 7)
      default: return nil
      }
      guard r > rank else { return nil }
      rank = r
      total += value * unit
      components += 1
      i += 1
    }
    guard components > 0, !(inTime && rank < 5) else { return nil }
    return total
  }
}

/// A statement's 128-bit UUID.
public struct StatementID: Hashable, Sendable {
  let high: UInt64
  let low: UInt64
}

/// Byte classification tables for the syntax checks, built once: 256 bytes of hexadecimal
/// digit values (0x80 for other bytes), then 256 bytes marking IRI-excluded bytes with 1.
enum ByteTables {
  static let hex = 0
  static let iriExcluded = 256
  nonisolated(unsafe) static let shared: UnsafePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
    for c in 0..<256 {
      let byte = UInt8(c)
      p[hex + c] = Syntax.hexValue(byte).map { UInt8($0) } ?? 0x80
      let excluded =
        byte <= 0x20 || byte == 0x7F || byte == 34 || byte == 60 || byte == 62 || byte == 92
        || byte == 94 || byte == 96 || byte == 123 || byte == 124 || byte == 125
      p[iriExcluded + c] = excluded ? 1 : 0
    }
    return UnsafePointer(p)
  }()
}
