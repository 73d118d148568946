import Glibc

// The fuzz targets compile Ingest alone, with MatrixCore's ParallelMap.swift beside it.
#if canImport(MatrixCore)
  import MatrixCore
#endif

extension NumericTableReader {
  /// The fast path for a clean file held in memory: no quote and no carriage return after a
  /// header line without quotes, every record with the header's field count and every wanted
  /// cell a number the fast number parser reads (or empty, or `NA`). Such a file's data lines
  /// are cut into up to ``threadCount`` chunks at line breaks and parsed in parallel, with
  /// the same ``parseNumber(_:)`` per cell as the general path, so the values are identical.
  /// Returns `nil` when anything needs the general scanner (which then reports errors with
  /// their locations, exactly as before).
  func fastRead(_ bytes: [UInt8], name: String, columns wanted: [String]?) throws(IngestError)
    -> Result?
  {
    guard let separator = delimiter.asciiValue else { return nil }
    let newline = UInt8(ascii: "\n")
    let special: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\r")]
    guard let headerEnd = bytes.firstIndex(of: newline) else { return nil }
    let clean = bytes.withUnsafeBufferPointer { p in
      special.allSatisfy { memchr(p.baseAddress!, Int32($0), p.count) == nil }
    }
    guard clean else { return nil }
    var headerScanner = CSVScanner(
      source: MemoryByteSource(Array(bytes[...headerEnd]), name: name), delimiter: separator)
    // A blank or broken first line is the general path's to handle (and to report).
    guard let header = try? SurveyHeader.read(&headerScanner, name: name) else { return nil }
    let names = wanted ?? header.names
    let index = try Self.columnIndices(names, in: header.names, path: name)
    let fieldCount = header.names.count
    var slots = [Int](repeating: -1, count: fieldCount)
    for (k, i) in index.enumerated() { slots[i] = k }
    let width = names.count
    // Chunks of at least 1 MiB, each starting after a line break.
    let body = headerEnd + 1
    let chunkCount = max(1, min(threadCount, (bytes.count - body) >> 20))
    var bounds = [body]
    for t in 1..<max(chunkCount, 1) {
      var at = max(body + (bytes.count - body) * t / chunkCount, bounds[t - 1])
      while at < bytes.count && bytes[at - 1] != newline { at += 1 }
      bounds.append(at)
    }
    bounds.append(bytes.count)
    let slotList = slots
    let cuts = bounds
    let chunks = parallelMap(chunkCount, threads: chunkCount) {
      t -> (values: [Double], rows: Int)? in
      bytes.withUnsafeBufferPointer { p in
        parseChunk(
          p, from: cuts[t], to: cuts[t + 1], separator: separator, slots: slotList,
          width: width)
      }
    }
    var rows = 0
    for chunk in chunks {
      guard let chunk else { return nil }
      rows += chunk.rows
    }
    guard rows > 0 else { return nil }
    // Column-major, each chunk's rows transposed by its own thread (the array's fresh pages
    // are first touched there too).
    var firstRows = [0]
    for chunk in chunks { firstRows.append(firstRows[firstRows.count - 1] + (chunk?.rows ?? 0)) }
    let starts = firstRows
    let parsed = chunks
    let total = rows
    let values = [Double](unsafeUninitializedCapacity: rows * width) { buffer, initialized in
      nonisolated(unsafe) let out = buffer.baseAddress!
      let transpose: @Sendable (Int) -> Void = { t in
        guard let chunk = parsed[t] else { return }
        let row = starts[t]
        chunk.values.withUnsafeBufferPointer { src in
          for k in 0..<width {
            let column = out + (row &+ k &* total)
            for i in 0..<chunk.rows { (column + i).initialize(to: src[i &* width &+ k]) }
          }
        }
      }
      forEachWorker(chunkCount, transpose)
      initialized = rows * width
    }
    return Result(names: names, rows: rows, values: values)
  }

  /// The records of `p[from..<to]` (whole lines), row-major; `nil` at the first record the
  /// general path must handle. Blank lines are skipped, as the scanner skips them.
  ///
  /// A wanted cell is read while its bytes are scanned: the sign, digits and point that
  /// ``parseNumber(_:)``'s fast path accepts, up to the separator or line end, give the same
  /// value the same way; any other cell (empty, `NA`, an exponent, more than 15 digits) goes
  /// to ``parseNumber(_:)`` whole.
  private func parseChunk(
    _ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, separator: UInt8, slots: [Int],
    width: Int
  ) -> (values: [Double], rows: Int)? {
    let newline = UInt8(ascii: "\n")
    let minus = UInt8(ascii: "-")
    let plus = UInt8(ascii: "+")
    let point = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
    let powers = Self.powersOfTen
    var values: [Double] = []
    values.reserveCapacity((to - from) / max(2 * slots.count, 1) * width + width)
    var row = [Double](repeating: 0, count: width)
    var rows = 0
    let fieldCount = slots.count
    let complete = slots.withUnsafeBufferPointer { sp in
      row.withUnsafeMutableBufferPointer { rp in
        var i = from
        while i < to {
          if p[i] == newline {
            i &+= 1
            continue
          }
          var field = 0
          while true {
            guard field < fieldCount else { return false }
            let start = i
            let slot = sp[field]
            var end = i
            if slot >= 0 {
              var negative = false
              if end < to && (p[end] == minus || p[end] == plus) {
                negative = p[end] == minus
                end &+= 1
              }
              // The integer digits, then (after a point) the fractional ones: two tight loops.
              var mantissa: Int64 = 0
              let integerStart = end
              while end < to {
                let digit = p[end] &- 48
                if digit >= 10 { break }
                mantissa = mantissa &* 10 &+ Int64(digit)
                end &+= 1
              }
              var digits = end &- integerStart
              var scale = 0
              if end < to && p[end] == point && point != separator {
                end &+= 1
                let fractionStart = end
                while end < to {
                  let digit = p[end] &- 48
                  if digit >= 10 { break }
                  mantissa = mantissa &* 10 &+ Int64(digit)
                  end &+= 1
                }
                scale = end &- fractionStart
                digits &+= scale
              }
              let atEnd = end == to || p[end] == separator || p[end] == newline
              if atEnd && digits > 0 && digits <= 15 {
                var v = Double(mantissa)
                if scale > 0 { v /= powers[scale] }
                rp[slot] = negative ? -v : v
              } else {
                while end < to && p[end] != separator && p[end] != newline { end &+= 1 }
                guard let v = parseNumber(UnsafeBufferPointer(rebasing: p[start..<end])) else {
                  return false
                }
                rp[slot] = v
              }
            } else {
              while end < to && p[end] != separator && p[end] != newline { end &+= 1 }
            }
            let b = end < to ? p[end] : newline
            field &+= 1
            i = end &+ 1
            if b == newline { break }
          }
          guard field == fieldCount else { return false }
          values.append(contentsOf: rp)
          rows &+= 1
        }
        return true
      }
    }
    return complete ? (values, rows) : nil
  }
}
