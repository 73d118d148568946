/// Finds where a value sits in a statement's JSON text, for error locations only: simdjson's
/// DOM does not keep source offsets, so the error path walks the (already validated) text.
enum JSONLocator {
  /// Byte offset of the value at `path` (object keys) in `json`, or of the deepest object on
  /// the path that exists (so a missing key points at the object that lacks it).
  static func offset(of path: [String], in json: UnsafeBufferPointer<UInt8>) -> Int {
    var i = 0
    skipSpace(json, &i)
    var found = i
    var depth = 0
    while depth < path.count {
      guard i < json.count, json[i] == UInt8(ascii: "{") else { return found }
      i += 1
      while true {
        skipSpace(json, &i)
        guard i < json.count, json[i] == UInt8(ascii: "\"") else { return found }
        let keyStart = i + 1
        skipString(json, &i)
        let keyEnd = i - 1
        skipSpace(json, &i)
        guard i < json.count, json[i] == UInt8(ascii: ":") else { return found }
        i += 1
        skipSpace(json, &i)
        let key = String(
          decoding: UnsafeBufferPointer(rebasing: json[keyStart..<keyEnd]), as: UTF8.self)
        if key == path[depth] { break }
        skipValue(json, &i)
        skipSpace(json, &i)
        guard i < json.count, json[i] == UInt8(ascii: ",") else { return found }
        i += 1
      }
      found = i
      depth += 1
    }
    return found
  }

  static func skipSpace(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { i += 1 }
  }

  /// From an opening quote to just after the closing one.
  static func skipString(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    i += 1
    while i < s.count && s[i] != UInt8(ascii: "\"") {
      i += s[i] == UInt8(ascii: "\\") ? 2 : 1
    }
    i += 1
  }

  /// Skips one value (object, array, string or scalar).
  static func skipValue(_ s: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
    guard i < s.count else { return }
    let c = s[i]
    if c == UInt8(ascii: "\"") {
      skipString(s, &i)
      return
    }
    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
      var depth = 0
      while i < s.count {
        let b = s[i]
        if b == UInt8(ascii: "\"") {
          skipString(s, &i)
          continue
        }
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
        if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
          depth -= 1
          if depth == 0 {
            i += 1
            return
          }
        }
        i += 1
      }
      return
    }
    while i < s.count, s[i] != UInt8(ascii: ","), s[i] != UInt8(ascii: "}"),
      s[i] != UInt8(ascii: "]")
    {
      i += 1
    }
  }
}
