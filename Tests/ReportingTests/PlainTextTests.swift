import Foundation
import MatrixCore
import Testing

@testable import Reporting

@Suite("Plain-text cells")
struct PlainTextTests {
  @Test func fixedEqualsStringFormat() {
    var rng = SplitMix64(seed: 11)
    var values: [Double] = [
      0, -0.0, 0.0005, 0.0015, 0.0025, -0.0005, 1.0005, 2.675, 1e-9, -1e-9, 0.9995, 0.99949999,
      123456.7895, 1e14, 1e15, 1e20, -3.25, .nan, .infinity, -.infinity, 0.125, 0.375,
    ]
    for _ in 0..<20_000 {
      let u = Double(rng.next() >> 11) / Double(1 << 53)
      let scale = [1e-4, 1, 10, 1e4, 1e7][Int(rng.next() % 5)]
      values.append((u - 0.3) * scale)
      // Values on a grid of halves of the last digit: the ties.
      values.append(Double(Int(rng.next() % 100_000)) / 2000)
    }
    for x in values {
      for digits in 0...7 {
        #expect(
          PlainText.fixed(x, digits: digits) == String(format: "%.\(digits)f", x),
          "\(x) to \(digits) digits")
      }
    }
  }

  @Test func csvFields() {
    #expect(PlainText.csvField("plain") == "plain")
    #expect(PlainText.csvField("a,b") == "\"a,b\"")
    #expect(PlainText.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(PlainText.csvField("two\nlines") == "\"two\nlines\"")
    #expect(PlainText.csvField("Zoë's") == "Zoë's")
  }
}
