/// Pretty-printed JSON with sorted keys from any `Encodable`, as Foundation's `JSONEncoder`
/// with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` writes it (numbers in
/// Swift's shortest round-trip form, a trailing `.0` dropped; non-finite numbers throw).
///
/// Why not `JSONEncoder`: it asks of every value whether it is a `Date`, `Data`, `URL` or a
/// string-keyed dictionary, and each first such question about a type scans every protocol
/// conformance in the program (about 7,000 in `lae`). For a command that fits a model in a few
/// milliseconds those scans cost more than the output itself. This encoder asks nothing: each
/// primitive reaches it through its own container method.
public enum JSONText {
  /// The document for `value`.
  ///
  /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number.
  public static func encode(_ value: some Encodable) throws -> String {
    let root = Node()
    try value.encode(to: TreeEncoder(node: root, codingPath: []))
    var out = ""
    root.write(to: &out, indent: 0)
    return out
  }

  /// A piece of JSON written verbatim where it is encoded (a large compact array, say, built
  /// by hand). `JSONText` inserts it as is; other encoders get it as a string.
  public struct Fragment: Encodable, Sendable {
    /// The JSON text, which must be valid JSON.
    public let text: String
    /// Wraps `text`.
    public init(_ text: String) { self.text = text }

    public func encode(to encoder: any Encoder) throws {
      if let tree = encoder as? TreeEncoder {
        tree.node.literal = text
      } else {
        var container = encoder.singleValueContainer()
        try container.encode(text)
      }
    }
  }

  /// `s` as a quoted JSON string (`/` left alone).
  public static func quoted(_ s: String) -> String {
    var out = "\""
    if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
      out += s
    } else {
      for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case _ where scalar.value < 0x20:
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func number(_ x: Double, _ path: [any CodingKey]) throws -> String {
    guard x.isFinite else {
      throw EncodingError.invalidValue(
        x,
        EncodingError.Context(
          codingPath: path, debugDescription: "Unable to encode Double.\(x) directly in JSON."))
    }
    var s = x.description
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
  }
}

/// One value of the tree: a literal (already JSON), an array or an object.
final class Node {
  var literal: String?
  var array: [Node]?
  var object: [String: Node]?

  func write(to out: inout String, indent: Int) {
    if let literal {
      out += literal
    } else if let array {
      guard !array.isEmpty else {
        out += "[]"
        return
      }
      let inner = String(repeating: " ", count: indent + 2)
      out += "[\n"
      for (i, element) in array.enumerated() {
        out += inner
        element.write(to: &out, indent: indent + 2)
        out += i + 1 < array.count ? ",\n" : "\n"
      }
      out += String(repeating: " ", count: indent) + "]"
    } else if let object {
      guard !object.isEmpty else {
        out += "{}"
        return
      }
      let inner = String(repeating: " ", count: indent + 2)
      out += "{\n"
      let keys = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (i, key) in keys.enumerated() {
        out += inner + JSONText.quoted(key) + " : "
        object[key]?.write(to: &out, indent: indent + 2)
        out += i + 1 < keys.count ? ",\n" : "\n"
      }
      out += String(repeating: " ", count: indent) + "}"
    } else {
      out += "{}"  // a value that encoded nothing, as JSONEncoder writes it
    }
  }
}

final class TreeEncoder: Encoder {
  let node: Node
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(node: Node, codingPath: [any CodingKey]) {
    self.node = node
    self.codingPath = codingPath
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if node.object == nil { node.object = [:] }
    return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if node.array == nil { node.array = [] }
    return UnkeyedContainer(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleContainer(node: node, codingPath: codingPath)
  }
}

/// The index of an element of an unkeyed container, for coding paths.
private struct IndexKey: CodingKey {
  let intValue: Int?
  var stringValue: String { "Index \(intValue ?? 0)" }
  init(_ index: Int) { intValue = index }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: Node
  let codingPath: [any CodingKey]

  private func set(_ literal: String, _ key: Key) {
    let child = Node()
    child.literal = literal
    node.object?[key.stringValue] = child
  }

  mutating func encodeNil(forKey key: Key) throws { set("null", key) }
  mutating func encode(_ value: Bool, forKey key: Key) throws { set(value ? "true" : "false", key) }
  mutating func encode(_ value: String, forKey key: Key) throws { set(JSONText.quoted(value), key) }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    set(try JSONText.number(value, codingPath + [key]), key)
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    set(try JSONText.number(Double(value), codingPath + [key]), key)
  }
  mutating func encode(_ value: Int, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { set(value.description, key) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { set(value.description, key) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    let child = Node()
    try value.encode(to: TreeEncoder(node: child, codingPath: codingPath + [key]))
    node.object?[key.stringValue] = child
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let child = Node()
    node.object?[key.stringValue] = child
    return TreeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = Node()
    node.object?[key.stringValue] = child
    return TreeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let child = Node()
    node.object?["super"] = child
    return TreeEncoder(node: child, codingPath: codingPath)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    let child = Node()
    node.object?[key.stringValue] = child
    return TreeEncoder(node: child, codingPath: codingPath + [key])
  }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let node: Node
  let codingPath: [any CodingKey]
  var count: Int { node.array?.count ?? 0 }

  private func append(_ literal: String) {
    let child = Node()
    child.literal = literal
    node.array?.append(child)
  }

  private func appendNode() -> (Node, [any CodingKey]) {
    let child = Node()
    let path = codingPath + [IndexKey(count)]
    node.array?.append(child)
    return (child, path)
  }

  mutating func encodeNil() throws { append("null") }
  mutating func encode(_ value: Bool) throws { append(value ? "true" : "false") }
  mutating func encode(_ value: String) throws { append(JSONText.quoted(value)) }
  mutating func encode(_ value: Double) throws {
    append(try JSONText.number(value, codingPath + [IndexKey(count)]))
  }
  mutating func encode(_ value: Float) throws {
    append(try JSONText.number(Double(value), codingPath + [IndexKey(count)]))
  }
  mutating func encode(_ value: Int) throws { append(value.description) }
  mutating func encode(_ value: Int8) throws { append(value.description) }
  mutating func encode(_ value: Int16) throws { append(value.description) }
  mutating func encode(_ value: Int32) throws { append(value.description) }
  mutating func encode(_ value: Int64) throws { append(value.description) }
  mutating func encode(_ value: UInt) throws { append(value.description) }
  mutating func encode(_ value: UInt8) throws { append(value.description) }
  mutating func encode(_ value: UInt16) throws { append(value.description) }
  mutating func encode(_ value: UInt32) throws { append(value.description) }
  mutating func encode(_ value: UInt64) throws { append(value.description) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let (child, path) = appendNode()
    try value.encode(to: TreeEncoder(node: child, codingPath: path))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let (child, path) = appendNode()
    return TreeEncoder(node: child, codingPath: path).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let (child, path) = appendNode()
    return TreeEncoder(node: child, codingPath: path).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let (child, path) = appendNode()
    return TreeEncoder(node: child, codingPath: path)
  }
}

private struct SingleContainer: SingleValueEncodingContainer {
  let node: Node
  let codingPath: [any CodingKey]

  mutating func encodeNil() throws { node.literal = "null" }
  mutating func encode(_ value: Bool) throws { node.literal = value ? "true" : "false" }
  mutating func encode(_ value: String) throws { node.literal = JSONText.quoted(value) }
  mutating func encode(_ value: Double) throws {
    node.literal = try JSONText.number(value, codingPath)
  }
  mutating func encode(_ value: Float) throws {
    node.literal = try JSONText.number(Double(value), codingPath)
  }
  mutating func encode(_ value: Int) throws { node.literal = value.description }
  mutating func encode(_ value: Int8) throws { node.literal = value.description }
  mutating func encode(_ value: Int16) throws { node.literal = value.description }
  mutating func encode(_ value: Int32) throws { node.literal = value.description }
  mutating func encode(_ value: Int64) throws { node.literal = value.description }
  mutating func encode(_ value: UInt) throws { node.literal = value.description }
  mutating func encode(_ value: UInt8) throws { node.literal = value.description }
  mutating func encode(_ value: UInt16) throws { node.literal = value.description }
  mutating func encode(_ value: UInt32) throws { node.literal = value.description }
  mutating func encode(_ value: UInt64) throws { node.literal = value.description }

  mutating func encode<T: Encodable>(_ value: T) throws {
    try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
  }
}

/// A coding key for hand-written `encode(to:)` methods. All keyed containers of one key type
/// are one generic type, whose metadata the runtime builds once; each distinct `CodingKeys`
/// enum costs a scan of every protocol conformance in the program the first time its
/// container is made (about 300,000 instructions in `lae`, for each type of a document).
public struct JSONKey: CodingKey, ExpressibleByStringLiteral, Sendable {
  public let stringValue: String
  public var intValue: Int? { nil }
  public init(stringValue: String) { self.stringValue = stringValue }
  public init?(intValue: Int) { nil }
  public init(stringLiteral value: String) { stringValue = value }
}
