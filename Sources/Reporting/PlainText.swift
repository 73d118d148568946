import Foundation

/// Text cells for CSV and table output, made without Foundation's formatter where that is
/// exact: a CSV of a million rows formats millions of numbers.
public enum PlainText {
  /// `s` as an RFC 4180 CSV field: quoted, inner quotes doubled, when it holds a comma, quote,
  /// tab, carriage return or line feed; as it is otherwise.
  public static func csvField(_ s: String) -> String {
    // Bytes, not Characters: no grapheme breaking for the usual field that needs no quotes.
    s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 9 })
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// Exactly `String(format: "%.<digits>f", x)` (C's rounding of the exact binary value,
  /// `-0.000` for small negatives), about 20 times faster. Values whose scaled fraction lies
  /// within 1e-6 of a tie, very large or non-finite values and more than 6 digits are left to
  /// `String(format:)`, so every result is the formatter's.
  public static func fixed(_ x: Double, digits: Int) -> String {
    let powers: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6]
    guard digits >= 0 && digits < powers.count else {
      return String(format: "%.\(digits)f", x)
    }
    let scaled = abs(x) * powers[digits]
    let floor = scaled.rounded(.down)
    let fraction = scaled - floor
    guard x.isFinite, scaled < 1e15, abs(fraction - 0.5) > 1e-6 else {
      return String(format: "%.\(digits)f", x)
    }
    let n = Int64(fraction > 0.5 ? floor + 1 : floor)
    let unit = Int64(powers[digits])
    var out = x.sign == .minus ? "-" : ""
    out += String(n / unit)
    if digits > 0 {
      let rest = String(n % unit)
      out += "." + String(repeating: "0", count: digits - rest.utf8.count) + rest
    }
    return out
  }
}
