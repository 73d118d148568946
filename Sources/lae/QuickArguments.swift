import ArgumentParser

/// A subcommand's arguments read without ArgumentParser, for commands whose start-up time
/// matters: ArgumentParser builds `lae growth`'s twenty options by reflection three times per
/// run, and each first conformance check scans every protocol conformance of the binary
/// (about 20 million instructions, a fifth of a whole 1,000-school fit). The command's
/// settings are then plain values (`GrowthSettings`), not ArgumentParser's property wrappers.
///
/// Only the plain long forms are read: `--name value`, `--name=value` and `--flag`. Anything
/// else (a short name, help, an unknown or repeated option, a value beginning with `-` other
/// than `-` itself, a value that does not convert, a failed validation) makes the quick parse
/// return nil, and the command is parsed by ArgumentParser, whose messages and rules then
/// apply. `laeTests` checks that both parses give the same command.
struct QuickArguments {
  enum Kind {
    /// `--name`, no value.
    case flag
    /// `--name value`, at most once.
    case value
    /// `--name value`, any number of times, in order.
    case repeated
  }

  private var values: [String: [String]] = [:]

  /// Reads `arguments` against the options that `kind` knows; nil for anything else.
  init?(_ arguments: [String], kind: (String) -> Kind?) {
    var i = 0
    while i < arguments.count {
      let argument = arguments[i]
      guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
      var name = String(argument.dropFirst(2))
      var inline: String?
      if let equals = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      }
      guard let kind = kind(name) else { return nil }
      if kind != .repeated && values[name] != nil { return nil }
      switch kind {
      case .flag:
        guard inline == nil else { return nil }
        values[name] = []
      case .value, .repeated:
        let value: String
        if let inline {
          value = inline
        } else {
          guard i + 1 < arguments.count else { return nil }
          i += 1
          value = arguments[i]
          guard !value.hasPrefix("-") || value == "-" else { return nil }
        }
        values[name, default: []].append(value)
      }
      i += 1
    }
  }

  func flag(_ name: String) -> Bool { values[name] != nil }

  func value(_ name: String) -> String? { values[name]?.last }

  func all(_ name: String) -> [String] { values[name] ?? [] }

  /// The value converted as ArgumentParser converts it, `fallback` when not given, nil when
  /// given but not convertible.
  func value<T: ExpressibleByArgument>(_ name: String, or fallback: T) -> T? {
    guard let text = value(name) else { return fallback }
    return T(argument: text)
  }

  /// An optional value: `.some(nil)` when not given, nil when given but not convertible.
  func optional<T: ExpressibleByArgument>(_ name: String, as type: T.Type) -> T?? {
    guard let text = value(name) else { return .some(nil) }
    return T(argument: text).map { .some($0) }
  }
}

/// A subcommand's settings read by ``QuickArguments``, ready to run.
protocol QuickCommand {
  func run() throws
}

extension LAE {
  /// The subcommand `name` read by its quick parse; nil when it has none or the parse
  /// declines.
  static func quickParse(_ name: String, _ arguments: [String]) -> (any QuickCommand)? {
    switch name {
    case "growth": GrowthSettings(quick: arguments)
    default: nil
    }
  }
}
