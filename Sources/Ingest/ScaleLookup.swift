/// Finds the code of an answer in one response scale: an option's index, a missing code, or
/// `nil` when the answer is not on the scale.
struct ScaleLookup: Sendable {
  /// Codes of at most 7 bytes, packed by ``pack(_:)``, with their ``codes``.
  private(set) var keys: [UInt64] = []
  private var longKeys: [[UInt8]] = []
  private(set) var codes: [Int16] = []
  private var longCodes: [Int16] = []
  private var numeric: [(value: Double, code: Int16)] = []
  let decimalComma: Bool

  init(scale: Instrument.ResponseScale, decimalComma: Bool) {
    self.decimalComma = decimalComma
    for (index, option) in scale.options.enumerated() {
      add(Array(option.value.utf8), code: Int16(index))
      if let v = Double(option.value) { numeric.append((v, Int16(index))) }
    }
    for missing in scale.missingCodes where !missing.value.isEmpty {
      add(Array(missing.value.utf8), code: SurveyTable.Value.code(for: missing.kind))
    }
  }

  private mutating func add(_ bytes: [UInt8], code: Int16) {
    if bytes.count <= 7 {
      keys.append(bytes.withUnsafeBufferPointer { ScaleLookup.pack($0) })
      codes.append(code)
    } else {
      longKeys.append(bytes)
      longCodes.append(code)
    }
  }

  @inline(__always)
  static func pack(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var key = UInt64(p.count) << 56
    for (i, b) in p.enumerated() { key |= UInt64(b) << (8 * UInt64(i)) }
    return key
  }

  /// The code for a key packed by ``pack(_:)`` when it is one of the scale's codes as written;
  /// `nil` means "ask ``code(_:)``" (it also matches numbers written differently).
  @inline(__always)
  func code(key: UInt64) -> Int16? {
    if key == 0 { return SurveyTable.Value.skipped }
    return keys.withUnsafeBufferPointer { k in
      for i in 0..<k.count where k[i] == key { return codes[i] }
      return nil
    }
  }

  /// The code for `bytes`; the empty answer is ``SurveyTable/Value/skipped``.
  @inline(__always)
  func code(_ bytes: UnsafeBufferPointer<UInt8>) -> Int16? {
    if bytes.isEmpty { return SurveyTable.Value.skipped }
    if bytes.count <= 7 {
      let key = ScaleLookup.pack(bytes)
      for i in 0..<keys.count where keys[i] == key { return codes[i] }
    } else {
      for i in 0..<longKeys.count where longKeys[i].elementsEqual(bytes) { return longCodes[i] }
    }
    // A number written differently ("3.0", "3,0" with a decimal comma) still matches.
    guard !numeric.isEmpty, bytes.count <= 32,
      var text = String(validating: bytes, as: UTF8.self)
    else { return nil }
    if decimalComma { text = text.replacingOccurrences(",", with: ".") }
    guard let v = Double(text) else { return nil }
    return numeric.first { $0.value == v }?.code
  }
}

extension String {
  func replacingOccurrences(_ a: Character, with b: Character) -> String {
    String(map { $0 == a ? b : $0 })
  }
}
