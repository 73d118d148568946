import Foundation

/// A grouped bar chart drawn as a self-contained, accessible SVG.
///
/// ```swift
/// let chart = BarChart(
///   id: "profile", title: "Area profile", categories: ["A", "B"],
///   series: [.init(name: "School", values: [3.1, 2.8]), .init(name: "Hub", values: [3.4, 3.0])],
///   domain: 1...5)
/// let svg = chart.svg()
/// ```
///
/// Accessibility: the `<svg>` has `role="img"` and is labelled by its `<title>` and a `<desc>`
/// that says in words what the chart shows (``textAlternative``); colours come from the
/// Okabe-Ito palette, safe for the common colour-vision deficiencies, and every series is
/// also named in a legend and in each bar's own `<title>` (a tooltip). Every bar is a
/// `<rect class="mark">` carrying `data-series`, `data-category` and `data-value`, so a test
/// (or a reader) can check that the marks match the data. Missing values draw no bar.
public struct BarChart: Sendable, Codable, Equatable {
  /// One series (one colour).
  public struct Series: Sendable, Codable, Equatable {
    /// Legend name.
    public let name: String
    /// One value per category (`nil` draws nothing).
    public let values: [Double?]
    /// Creates a series.
    public init(name: String, values: [Double?]) {
      self.name = name
      self.values = values
    }
  }

  /// Element id (unique in the page).
  public let id: String
  /// Chart title.
  public let title: String
  /// Category labels (the groups of bars), top to bottom.
  public let categories: [String]
  /// Series, drawn side by side within each category.
  public let series: [Series]
  /// The value axis range.
  public let domain: ClosedRange<Double>

  /// Creates a chart.
  public init(
    id: String, title: String, categories: [String], series: [Series],
    domain: ClosedRange<Double>
  ) {
    self.id = id
    self.title = title
    self.categories = categories
    self.series = series
    self.domain = domain
  }

  /// Okabe and Ito's colour-blind-safe palette (black last).
  public static let palette = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
  ]

  /// The chart in words: each category with every series' value.
  public var textAlternative: String {
    let lines = categories.enumerated().map { c, category in
      category + ": "
        + series.map { s in
          "\(s.name) " + (s.values[c].map { String(format: "%.2f", $0) } ?? "no data")
        }.joined(separator: ", ")
    }
    return "\(title). Bars on a scale from \(format(domain.lowerBound)) to "
      + "\(format(domain.upperBound)). " + lines.joined(separator: "; ") + "."
  }

  func format(_ x: Double) -> String {
    x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
  }

  /// The SVG element.
  public func svg() -> String {
    // Room for the longest category label (about 6.6 px per character at 12 px).
    let longest = categories.map(\.count).max() ?? 0
    let labelWidth = min(360, max(120, 6.6 * Double(longest) + 16))
    let plotWidth = 420.0
    let bar = 12.0
    let gap = 10.0
    let groupHeight = Double(max(series.count, 1)) * bar + gap
    let top = 28.0
    let height = top + Double(categories.count) * groupHeight + 40
    let width = max(labelWidth + plotWidth + 30, labelWidth + legendWidth(series.map(\.name)) + 10)
    let span = domain.upperBound - domain.lowerBound
    func x(_ v: Double) -> Double {
      labelWidth + plotWidth
        * (min(max(v, domain.lowerBound), domain.upperBound)
          - domain.lowerBound) / (span > 0 ? span : 1)
    }
    var out = svgOpening(
      id: id, title: title, description: textAlternative, width: width, height: height)
    // Grid lines at each whole unit of the domain (at most 10).
    let step = max(1, (span / 10).rounded(.up))
    var tick = domain.lowerBound
    while tick <= domain.upperBound + 1e-9 {
      out +=
        "<line class=\"grid\" x1=\"\(f(x(tick)))\" x2=\"\(f(x(tick)))\" y1=\"\(f(top - 6))\" "
        + "y2=\"\(f(height - 34))\" stroke=\"#ccc\"/>"
        + "<text x=\"\(f(x(tick)))\" y=\"\(f(height - 20))\" text-anchor=\"middle\" "
        + "font-size=\"11\">\(format(tick))</text>\n"
      tick += step
    }
    for (c, category) in categories.enumerated() {
      let y0 = top + Double(c) * groupHeight
      out +=
        "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y0 + Double(series.count) * bar / 2 + 4))\" "
        + "text-anchor=\"end\" font-size=\"12\">\(escape(category))</text>\n"
      for (s, serie) in series.enumerated() {
        guard c < serie.values.count, let v = serie.values[c], v.isFinite else { continue }
        let colour = Self.palette[s % Self.palette.count]
        let y = y0 + Double(s) * bar
        out +=
          "<rect class=\"mark\" data-series=\"\(escape(serie.name))\" "
          + "data-category=\"\(escape(category))\" data-value=\"\(v)\" x=\"\(f(labelWidth))\" "
          + "y=\"\(f(y))\" width=\"\(f(max(0.5, x(v) - labelWidth)))\" height=\"\(f(bar - 2))\" "
          + "fill=\"\(colour)\"><title>\(escape(serie.name)), \(escape(category)): "
          + "\(String(format: "%.2f", v))</title></rect>\n"
      }
    }
    out += legend(series.map(\.name), x: labelWidth, y: 6) + "</svg>"
    return out
  }

  func f(_ x: Double) -> String { String(format: "%.1f", x) }
}

/// The opening of an accessible chart: `<svg role="img">` labelled by its title and text
/// alternative.
func svgOpening(id: String, title: String, description: String, width: Double, height: Double)
  -> String
{
  let w = String(format: "%.1f", width)
  let h = String(format: "%.1f", height)
  return """
    <svg xmlns="http://www.w3.org/2000/svg" role="img" id="\(escape(id))" \
    aria-labelledby="\(escape(id))-title \(escape(id))-desc" viewBox="0 0 \(w) \(h)" \
    width="\(w)" height="\(h)" class="chart">
    <title id="\(escape(id))-title">\(escape(title))</title>
    <desc id="\(escape(id))-desc">\(escape(description))</desc>

    """
}

/// The width a legend of these names takes.
func legendWidth(_ names: [String]) -> Double {
  names.reduce(0) { $0 + 24 + Double($1.count) * 7 }
}

/// A legend: a colour swatch and the name of each series, in palette order.
func legend(_ names: [String], x: Double, y: Double) -> String {
  var out = ""
  var lx = x
  for (s, name) in names.enumerated() {
    out +=
      "<rect x=\"\(String(format: "%.1f", lx))\" y=\"\(String(format: "%.1f", y))\" width=\"12\" "
      + "height=\"12\" fill=\"\(BarChart.palette[s % BarChart.palette.count])\"/>"
      + "<text x=\"\(String(format: "%.1f", lx + 16))\" y=\"\(String(format: "%.1f", y + 10))\" "
      + "font-size=\"12\">\(escape(name))</text>\n"
    lx += 24 + Double(name.count) * 7
  }
  return out
}

/// Escapes text for HTML and SVG content and attributes.
func escape(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.count)
  for ch in s {
    switch ch {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(ch)
    }
  }
  return out
}

/// A line chart over ordered x positions (waves, weeks), with optional confidence bands, as a
/// self-contained, accessible SVG (the same conventions as ``BarChart``: `role="img"`, a
/// `<title>` and a `<desc>` with the text alternative, Okabe-Ito colours, one
/// `<circle class="mark">` per point carrying `data-series`, `data-x` and `data-value`).
public struct LineChart: Sendable, Codable, Equatable {
  /// One line, with an optional band around it.
  public struct Series: Sendable, Codable, Equatable {
    /// Legend name.
    public let name: String
    /// One value per x position (`nil` breaks the line).
    public let values: [Double?]
    /// Lower band edge per x position (`nil`: no band there).
    public let lower: [Double?]?
    /// Upper band edge per x position.
    public let upper: [Double?]?
    /// Dashed (for fitted lines beside observed ones).
    public let dashed: Bool

    /// Creates a series.
    public init(
      name: String, values: [Double?], lower: [Double?]? = nil, upper: [Double?]? = nil,
      dashed: Bool = false
    ) {
      self.name = name
      self.values = values
      self.lower = lower
      self.upper = upper
      self.dashed = dashed
    }
  }

  /// Element id.
  public let id: String
  /// Title.
  public let title: String
  /// X labels, in order.
  public let xLabels: [String]
  /// The x axis name (e.g. "wave").
  public let xName: String
  /// Lines.
  public let series: [Series]
  /// Value axis range.
  public let domain: ClosedRange<Double>

  /// Creates a chart.
  public init(
    id: String, title: String, xLabels: [String], xName: String, series: [Series],
    domain: ClosedRange<Double>
  ) {
    self.id = id
    self.title = title
    self.xLabels = xLabels
    self.xName = xName
    self.series = series
    self.domain = domain
  }

  /// The chart in words.
  public var textAlternative: String {
    let lines = series.map { s in
      s.name + ": "
        + xLabels.enumerated().map { i, x in
          let v = i < s.values.count ? s.values[i] : nil
          var text = "\(xName) \(x) " + (v.map { String(format: "%.2f", $0) } ?? "no data")
          if let lo = s.lower?[i], let hi = s.upper?[i] {
            text += String(format: " (%.2f to %.2f)", lo, hi)
          }
          return text
        }.joined(separator: ", ")
    }
    return "\(title). " + lines.joined(separator: "; ") + "."
  }

  /// The SVG element.
  public func svg() -> String {
    let left = 50.0
    let plotWidth = 480.0
    let top = 34.0
    let plotHeight = 240.0
    let width = max(left + plotWidth + 30, left + legendWidth(series.map(\.name)) + 10)
    // Labels wider than their share of the axis (about 6.2 px per character at 11 px) are
    // turned by 45 degrees, with room below for them.
    let spacing = plotWidth / Double(max(xLabels.count - 1, 1))
    let longest = Double(xLabels.map(\.count).max() ?? 0)
    let turned = xLabels.count > 1 && longest * 6.2 + 6 > spacing
    let labelDepth = turned ? longest * 6.2 * 0.71 + 8 : 0
    let height = top + plotHeight + 44 + labelDepth
    let span = domain.upperBound - domain.lowerBound
    func x(_ i: Int) -> Double {
      xLabels.count > 1
        ? left + plotWidth * Double(i) / Double(xLabels.count - 1) : left + plotWidth / 2
    }
    func y(_ v: Double) -> Double {
      let clamped = min(max(v, domain.lowerBound), domain.upperBound)
      return top + plotHeight * (1 - (clamped - domain.lowerBound) / (span > 0 ? span : 1))
    }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }
    var out = svgOpening(
      id: id, title: title, description: textAlternative, width: width, height: height)
    // About eight grid lines at a step of 1, 2 or 5 times a power of ten (0.5 on a 1-5 scale,
    // 20 on percentages).
    let raw = max(span / 8, 1e-9)
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let step = max(
      0.5, ([1.0, 2, 5, 10].first { $0 * magnitude >= raw - 1e-12 } ?? 10) * magnitude)
    var tick = domain.lowerBound
    while tick <= domain.upperBound + 1e-9 {
      out +=
        "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(tick)))\" "
        + "y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/><text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" "
        + "text-anchor=\"end\" font-size=\"11\">\(String(format: "%g", tick))</text>\n"
      tick += step
    }
    for (i, label) in xLabels.enumerated() {
      if turned {
        let ly = top + plotHeight + 14
        out +=
          "<text x=\"\(f(x(i)))\" y=\"\(f(ly))\" text-anchor=\"end\" font-size=\"11\" "
          + "transform=\"rotate(-45 \(f(x(i))) \(f(ly)))\">\(escape(label))</text>\n"
      } else {
        out +=
          "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\" "
          + "font-size=\"11\">\(escape(label))</text>\n"
      }
    }
    out +=
      "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 36 + labelDepth))\" "
      + "text-anchor=\"middle\" font-size=\"12\">\(escape(xName))</text>\n"
    for (s, serie) in series.enumerated() {
      let colour = BarChart.palette[s % BarChart.palette.count]
      // Band: upper edge left to right, lower edge back.
      if let lower = serie.lower, let upper = serie.upper {
        let points = xLabels.indices.compactMap { i -> (Int, Double, Double)? in
          guard i < lower.count, i < upper.count, let lo = lower[i], let hi = upper[i] else {
            return nil
          }
          return (i, lo, hi)
        }
        if points.count >= 2 {
          let path =
            points.map { "\(f(x($0.0))),\(f(y($0.2)))" }
            + points.reversed().map {
              "\(f(x($0.0))),\(f(y($0.1)))"
            }
          out +=
            "<polygon class=\"band\" data-series=\"\(escape(serie.name))\" "
            + "points=\"\(path.joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.18\"/>\n"
        }
      }
      var segment: [String] = []
      func flush() {
        if segment.count >= 2 {
          out +=
            "<polyline points=\"\(segment.joined(separator: " "))\" fill=\"none\" "
            + "stroke=\"\(colour)\" stroke-width=\"2\"\(serie.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
        }
        segment = []
      }
      for i in xLabels.indices {
        guard i < serie.values.count, let v = serie.values[i], v.isFinite else {
          flush()
          continue
        }
        segment.append("\(f(x(i))),\(f(y(v)))")
      }
      flush()
      for i in xLabels.indices {
        guard i < serie.values.count, let v = serie.values[i], v.isFinite else { continue }
        out +=
          "<circle class=\"mark\" data-series=\"\(escape(serie.name))\" "
          + "data-x=\"\(escape(xLabels[i]))\" data-value=\"\(v)\" cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" "
          + "r=\"3.5\" fill=\"\(colour)\"><title>\(escape(serie.name)), \(escape(xName)) "
          + "\(escape(xLabels[i])): \(String(format: "%.2f", v))</title></circle>\n"
      }
    }
    out += legend(series.map(\.name), x: left, y: 8) + "</svg>"
    return out
  }
}
