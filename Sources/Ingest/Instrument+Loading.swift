import Foundation

extension Instrument {
  /// Reads and validates an instrument definition (JSON).
  ///
  /// - Throws: ``IngestError/unreadableFile(path:reason:)``, or
  ///   ``IngestError/invalidDefinition(path:reason:)`` naming the JSON path of the problem.
  public static func load(from path: String) throws(IngestError) -> Instrument {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw IngestError.unreadableFile(path: path, reason: (error as NSError).localizedDescription)
    }
    return try decode(data, path: path)
  }

  /// Decodes and validates an instrument from JSON bytes; `path` names it in messages.
  public static func decode(_ data: Data, path: String = "<instrument>") throws(IngestError)
    -> Instrument
  {
    if data.isEmpty { throw IngestError.emptyFile(path: path) }
    let instrument: Instrument
    do {
      instrument = try JSONDecoder().decode(Instrument.self, from: data)
    } catch let DecodingError.keyNotFound(key, context) {
      throw IngestError.invalidDefinition(
        path: path, reason: "missing field '\(key.stringValue)' at \(jsonPath(context.codingPath))")
    } catch let DecodingError.typeMismatch(type, context) {
      throw IngestError.invalidDefinition(
        path: path, reason: "expected \(type) at \(jsonPath(context.codingPath))")
    } catch let DecodingError.valueNotFound(type, context) {
      throw IngestError.invalidDefinition(
        path: path, reason: "expected \(type) at \(jsonPath(context.codingPath)), found null")
    } catch let DecodingError.dataCorrupted(context) {
      throw IngestError.invalidDefinition(
        path: path,
        reason: "invalid JSON at \(jsonPath(context.codingPath)): \(context.debugDescription)")
    } catch {
      throw IngestError.invalidDefinition(path: path, reason: "\(error)")
    }
    try instrument.validate(path: path)
    return instrument
  }

  private static func jsonPath(_ path: [any CodingKey]) -> String {
    guard !path.isEmpty else { return "the top level" }
    return path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
  }

  /// Checks the definition's references: unique ids and codes, every item's area, scale and
  /// groups defined, scales with options, target items pointing at items.
  ///
  /// - Throws: ``IngestError/invalidDefinition(path:reason:)``.
  public func validate(path: String = "<instrument>") throws(IngestError) {
    func fail(_ reason: String) -> IngestError { .invalidDefinition(path: path, reason: reason) }
    func duplicates(_ values: [String]) -> String? {
      var seen: Set<String> = []
      return values.first { !seen.insert($0).inserted }
    }
    if let d = duplicates(groups.map(\.id)) { throw fail("group '\(d)' is defined twice") }
    if let d = duplicates(areas.map(\.id)) { throw fail("area '\(d)' is defined twice") }
    if let d = duplicates(scales.map(\.id)) { throw fail("scale '\(d)' is defined twice") }
    if let d = duplicates(items.map(\.code)) { throw fail("item '\(d)' is defined twice") }
    guard !groups.isEmpty else { throw fail("the instrument defines no respondent groups") }
    guard groups.count <= 64 else { throw fail("at most 64 respondent groups are supported") }
    guard !items.isEmpty else { throw fail("the instrument defines no items") }
    guard items.count <= Int(UInt16.max) else { throw fail("at most 65535 items are supported") }
    let groupIDs = Set(groups.map(\.id))
    let areaIDs = Set(areas.map(\.id))
    let itemCodes = Set(items.map(\.code))
    for scale in scales {
      guard !scale.options.isEmpty else { throw fail("scale '\(scale.id)' has no options") }
      guard scale.options.count < Int(Int16.max) else {
        throw fail("scale '\(scale.id)' has too many options")
      }
      let codes = scale.options.map(\.value) + scale.missingCodes.map(\.value)
      if let d = duplicates(codes) { throw fail("scale '\(scale.id)' uses the code '\(d)' twice") }
      if codes.contains("") {
        throw fail("scale '\(scale.id)' uses the empty code, which always means skipped")
      }
      if let bad = scale.options.first(where: { !$0.score.isFinite }) {
        throw fail("option '\(bad.value)' of scale '\(scale.id)' has a non-finite score")
      }
    }
    let scaleIDs = Set(scales.map(\.id))
    for area in areas where area.parent != nil && !areaIDs.contains(area.parent ?? "") {
      throw fail("area '\(area.id)' names parent '\(area.parent ?? "")', which is not defined")
    }
    for item in items {
      if item.code.isEmpty { throw fail("an item has an empty code") }
      if !areaIDs.contains(item.area) {
        throw fail("item '\(item.code)' belongs to area '\(item.area)', which is not defined")
      }
      if !scaleIDs.contains(item.scale) {
        throw fail("item '\(item.code)' uses scale '\(item.scale)', which is not defined")
      }
      if item.groups.isEmpty { throw fail("item '\(item.code)' is answered by no group") }
      for g in item.groups where !groupIDs.contains(g) {
        throw fail("item '\(item.code)' names group '\(g)', which is not defined")
      }
      if let w = item.weight, !(w > 0 && w.isFinite) {
        throw fail("item '\(item.code)' has weight \(w); weights must be positive")
      }
      if let t = item.targetOf, !itemCodes.contains(t) {
        throw fail("item '\(item.code)' states the target of '\(t)', which is not defined")
      }
    }
    if let scheme = levelScheme {
      guard !scheme.levels.isEmpty else { throw fail("the level scheme has no levels") }
      let minima = scheme.levels.map(\.minimum)
      guard zip(minima, minima.dropFirst()).allSatisfy({ $0 < $1 }) else {
        throw fail("level minima must increase from the first level to the last")
      }
    }
  }
}

extension Instrument {
  /// A bundled instrument by id (see ``bundledDefinitions``).
  ///
  /// - Throws: ``IngestError/invalidDefinition(path:reason:)`` for an unknown id.
  public static func bundled(_ id: String) throws(IngestError) -> Instrument {
    guard let json = bundledDefinitions[id] else {
      throw IngestError.invalidDefinition(
        path: id,
        reason: "no bundled instrument has this id; bundled: "
          + bundledDefinitions.keys.sorted().joined(separator: ", "))
    }
    return try decode(Data(json.utf8), path: id)
  }

  /// Loads `pathOrID`: a bundled instrument's id, or else a JSON file's path.
  public static func named(_ pathOrID: String) throws(IngestError) -> Instrument {
    if bundledDefinitions[pathOrID] != nil { return try bundled(pathOrID) }
    return try load(from: pathOrID)
  }
}
