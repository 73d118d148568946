/// A linear mixed model's formula: response, fixed-effect terms and random-effect terms, in
/// lme4's notation.
///
/// ```swift
/// let f = try ModelFormula("score ~ wave * sector + (wave | school) + (1 | school:teacher)")
/// f.response          // "score"
/// f.fixedTerms        // [["wave"], ["sector"], ["wave", "sector"]]
/// f.randomTerms[0]    // (1 + wave | school)
/// ```
///
/// Supported syntax: `+`, `1` and `0` (or `-1`) for the intercept, `a:b` (interaction),
/// `a*b` (`a + b + a:b`), random terms `(expr | g)`, `(expr || g)` (uncorrelated: one block per
/// term, as lme4 expands it), grouping interactions `g:h`, and nesting `g/h` (`g` and `h:g`,
/// named as lme4 names them). Fixed terms are ordered as R orders them: by degree, then as
/// written.
public struct ModelFormula: Sendable, Equatable, CustomStringConvertible {
  /// The response variable.
  public var response: String
  /// Whether the fixed part has an intercept (`0 +` or `- 1` removes it).
  public var hasIntercept: Bool
  /// Fixed-effect terms; each is a list of variables (one for a main effect).
  public var fixedTerms: [[String]]
  /// Random-effect terms, as written (expanded for `||` and `/`).
  public var randomTerms: [RandomEffectTerm]
  /// The text parsed (or built).
  public let text: String

  /// A model from its parts.
  public init(
    response: String, hasIntercept: Bool = true, fixedTerms: [[String]],
    randomTerms: [RandomEffectTerm]
  ) {
    self.response = response
    self.hasIntercept = hasIntercept
    self.fixedTerms = fixedTerms
    self.randomTerms = randomTerms
    let fixed = (hasIntercept ? ["1"] : ["0"]) + fixedTerms.map { $0.joined(separator: ":") }
    text = "\(response) ~ " + (fixed + randomTerms.map(\.description)).joined(separator: " + ")
  }

  /// Parses lme4 formula text.
  ///
  /// - Throws: ``MixedModelError/invalidFormula(formula:position:reason:)`` naming the place.
  public init(_ text: String) throws(MixedModelError) {
    var parser = FormulaParser(text)
    let parsed = try parser.parseFormula()
    self.response = parsed.response
    self.hasIntercept = parsed.fixed.intercept
    self.fixedTerms = parsed.fixed.terms
    self.randomTerms = parsed.random
    self.text = text
  }

  /// The formula text.
  public var description: String { text }

  /// Every variable the model uses: response, fixed-effect variables, random-effect variables
  /// and grouping variables, without repeats, in order of appearance.
  public var variables: [String] {
    var seen: [String] = []
    func add(_ v: String) { if !seen.contains(v) { seen.append(v) } }
    add(response)
    fixedTerms.joined().forEach(add)
    for r in randomTerms {
      r.terms.joined().forEach(add)
      r.grouping.forEach(add)
    }
    return seen
  }

  /// Grouping variables (always categorical).
  public var groupingVariables: [String] {
    var seen: [String] = []
    for r in randomTerms { for g in r.grouping where !seen.contains(g) { seen.append(g) } }
    return seen
  }
}

/// One random-effect term `(expr | g)`: the terms of `expr` vary by the levels of `g`, with an
/// unstructured covariance among them.
public struct RandomEffectTerm: Sendable, Equatable, CustomStringConvertible {
  /// Whether `expr` has an intercept.
  public var hasIntercept: Bool
  /// The terms of `expr` (each a list of variables).
  public var terms: [[String]]
  /// The grouping variables; several mean their interaction (`g:h`).
  public var grouping: [String]

  /// A term from its parts.
  public init(hasIntercept: Bool = true, terms: [[String]] = [], grouping: [String]) {
    self.hasIntercept = hasIntercept
    self.terms = terms
    self.grouping = grouping
  }

  /// The grouping factor's name as lme4 prints it (`school`, `teacher:school`).
  public var groupingName: String { grouping.joined(separator: ":") }

  /// The term in lme4 notation.
  public var description: String {
    let parts = (hasIntercept ? ["1"] : ["0"]) + terms.map { $0.joined(separator: ":") }
    return "(" + parts.joined(separator: " + ") + " | " + groupingName + ")"
  }
}

// MARK: - Parser

struct FormulaParser {
  enum Token: Equatable {
    case name(String)
    case symbol(String)
  }

  let text: String
  var tokens: [(token: Token, position: Int)] = []
  var index = 0
  /// Variables in order of first appearance (R labels interactions in this order).
  var order: [String] = []

  init(_ text: String) { self.text = text }

  func fail(_ why: String, at position: Int? = nil) -> MixedModelError {
    let at = position ?? (index < tokens.count ? tokens[index].position : text.count)
    return .invalidFormula(formula: text, position: at, reason: why)
  }

  mutating func tokenize() throws(MixedModelError) {
    let chars = Array(text)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c.isWhitespace {
        i += 1
      } else if c == "|" && i + 1 < chars.count && chars[i + 1] == "|" {
        tokens.append((.symbol("||"), i))
        i += 2
      } else if "~+-*:/()|".contains(c) {
        tokens.append((.symbol(String(c)), i))
        i += 1
      } else if c == "`" {
        var j = i + 1
        while j < chars.count && chars[j] != "`" { j += 1 }
        guard j < chars.count else { throw fail("a backquoted name never closes", at: i) }
        tokens.append((.name(String(chars[(i + 1)..<j])), i))
        i = j + 1
      } else if c.isLetter || c.isNumber || c == "." || c == "_" {
        var j = i
        while j < chars.count
          && (chars[j].isLetter || chars[j].isNumber || chars[j] == "."
            || chars[j] == "_")
        {
          j += 1
        }
        tokens.append((.name(String(chars[i..<j])), i))
        i = j
      } else {
        throw fail("'\(c)' is not part of lme4's formula syntax", at: i)
      }
    }
  }

  var peek: Token? { index < tokens.count ? tokens[index].token : nil }

  mutating func expect(_ s: String) throws(MixedModelError) {
    guard peek == .symbol(s) else { throw fail("expected '\(s)'") }
    index += 1
  }

  mutating func parseFormula() throws(MixedModelError) -> (
    response: String, fixed: (intercept: Bool, terms: [[String]]), random: [RandomEffectTerm]
  ) {
    try tokenize()
    guard case .name(let response) = peek else { throw fail("expected the response variable") }
    index += 1
    order.append(response)
    try expect("~")
    var random: [RandomEffectTerm] = []
    let fixed = try parseSum(random: &random, allowBars: true)
    if index < tokens.count { throw fail("unexpected text") }
    return (response, fixed, random)
  }

  /// `term (+ term)*`; returns the intercept flag and the terms sorted by degree.
  mutating func parseSum(random: inout [RandomEffectTerm], allowBars: Bool)
    throws(MixedModelError) -> (intercept: Bool, terms: [[String]])
  {
    var intercept = true
    var terms: [[String]] = []
    var negate = false
    var first = true
    while true {
      if !first || peek == .symbol("-") || peek == .symbol("+") {
        if peek == .symbol("+") {
          negate = false
          index += 1
        } else if peek == .symbol("-") {
          negate = true
          index += 1
        } else {
          break
        }
      }
      first = false
      switch peek {
      case .name("0"):
        index += 1
        intercept = negate
      case .name("1"):
        index += 1
        intercept = !negate
      case .symbol("(") where allowBars && isBarTerm():
        index += 1
        random.append(contentsOf: try parseBar())
        try expect(")")
      default:
        let product = try parseProduct()
        for t in product where !terms.contains(t) {
          if negate { throw fail("removing terms with '-' is not supported") }
          terms.append(t)
        }
      }
      if peek == nil || peek == .symbol(")") || peek == .symbol("|") || peek == .symbol("||") {
        break
      }
    }
    let sorted = terms.enumerated().sorted { a, b in
      a.element.count != b.element.count
        ? a.element.count < b.element.count : a.offset < b.offset
    }.map(\.element)
    return (intercept, sorted)
  }

  /// Whether the parenthesis at `index` opens a `(… | …)` term.
  func isBarTerm() -> Bool {
    var depth = 0
    var k = index
    while k < tokens.count {
      switch tokens[k].token {
      case .symbol("("): depth += 1
      case .symbol(")"):
        depth -= 1
        if depth == 0 { return false }
      case .symbol("|"), .symbol("||"): if depth == 1 { return true }
      default: break
      }
      k += 1
    }
    return false
  }

  /// `a*b:c…`: the terms it expands to, each with variables in order of first appearance.
  mutating func parseProduct() throws(MixedModelError) -> [[String]] {
    var result: [[String]] = []
    var current = try parseInteraction()
    result = [current]
    while peek == .symbol("*") {
      index += 1
      current = try parseInteraction()
      var expanded = result
      expanded.append(current)
      for t in result { expanded.append(normalize(t + current)) }
      result = []
      for t in expanded where !result.contains(t) { result.append(t) }
    }
    return result.sorted { $0.count < $1.count }
  }

  mutating func parseInteraction() throws(MixedModelError) -> [String] {
    var vars = [try parseName()]
    while peek == .symbol(":") {
      index += 1
      vars.append(try parseName())
    }
    return normalize(vars)
  }

  mutating func parseName() throws(MixedModelError) -> String {
    guard case .name(let n) = peek else { throw fail("expected a variable name") }
    if n.first?.isNumber == true && Double(n) != nil {
      throw fail("a number cannot be a variable here")
    }
    index += 1
    if !order.contains(n) { order.append(n) }
    return n
  }

  /// Removes repeats and orders variables by first appearance.
  func normalize(_ vars: [String]) -> [String] {
    var out: [String] = []
    for v in vars where !out.contains(v) { out.append(v) }
    return out.sorted { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) }
  }

  /// Inside `( … )`: `expr | grouping` or `expr || grouping`.
  mutating func parseBar() throws(MixedModelError) -> [RandomEffectTerm] {
    var none: [RandomEffectTerm] = []
    let expr = try parseSum(random: &none, allowBars: false)
    let correlated: Bool
    if peek == .symbol("|") {
      correlated = true
    } else if peek == .symbol("||") {
      correlated = false
    } else {
      throw fail("expected '|' or '||'")
    }
    index += 1
    // Grouping: names joined by ':' (interaction) or '/' (nesting).
    var groupings: [[String]] = []
    var current = [try parseName()]
    while peek == .symbol(":") || peek == .symbol("/") {
      let nest = peek == .symbol("/")
      index += 1
      let next = try parseName()
      if nest {
        groupings.append(current)
        current = [next] + current
      } else {
        current.append(next)
      }
    }
    groupings.append(current)
    var out: [RandomEffectTerm] = []
    for g in groupings {
      if correlated {
        out.append(RandomEffectTerm(hasIntercept: expr.intercept, terms: expr.terms, grouping: g))
      } else {
        if expr.intercept { out.append(RandomEffectTerm(hasIntercept: true, grouping: g)) }
        for t in expr.terms {
          out.append(RandomEffectTerm(hasIntercept: false, terms: [t], grouping: g))
        }
      }
    }
    return out
  }
}
