/// Rows gathered in fixed buffers and appended to the table's columns a few thousand at a
/// time, so that the per-row cost is a store, not an `Array.append` with its uniqueness and
/// capacity checks.
final class RowBatch {
  static let capacity = 4096
  private(set) var count = 0
  let school = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
  let respondent = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
  let group = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
  let wave = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
  let item = UnsafeMutablePointer<UInt16>.allocate(capacity: capacity)
  let value = UnsafeMutablePointer<Int16>.allocate(capacity: capacity)
  let hub = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
  let teacher = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
  let submittedAt = UnsafeMutablePointer<Int64>.allocate(capacity: capacity)
  let hasHub: Bool
  let hasTeacher: Bool
  let hasTimestamp: Bool

  init(hasHub: Bool, hasTeacher: Bool, hasTimestamp: Bool) {
    self.hasHub = hasHub
    self.hasTeacher = hasTeacher
    self.hasTimestamp = hasTimestamp
  }

  deinit {
    school.deallocate()
    respondent.deallocate()
    group.deallocate()
    wave.deallocate()
    item.deallocate()
    value.deallocate()
    hub.deallocate()
    teacher.deallocate()
    submittedAt.deallocate()
  }

  /// Whether the batch is full and must be flushed before the next row.
  var isFull: Bool { count == RowBatch.capacity }

  @inline(__always)
  func add(
    school s: Int32, respondent r: Int32, group g: UInt8, wave w: Int32, item i: UInt16,
    value v: Int16, hub h: Int32, teacher t: Int32, submittedAt ts: Int64
  ) {
    school[count] = s
    respondent[count] = r
    group[count] = g
    wave[count] = w
    item[count] = i
    value[count] = v
    hub[count] = h
    teacher[count] = t
    submittedAt[count] = ts
    count += 1
  }

  /// Appends the gathered rows to `table` and empties the batch.
  func flush(into table: inout SurveyTable) {
    guard count > 0 else { return }
    table.school.append(contentsOf: UnsafeBufferPointer(start: school, count: count))
    table.respondent.append(contentsOf: UnsafeBufferPointer(start: respondent, count: count))
    table.group.append(contentsOf: UnsafeBufferPointer(start: group, count: count))
    table.wave.append(contentsOf: UnsafeBufferPointer(start: wave, count: count))
    table.item.append(contentsOf: UnsafeBufferPointer(start: item, count: count))
    table.value.append(contentsOf: UnsafeBufferPointer(start: value, count: count))
    if hasHub { table.hub.append(contentsOf: UnsafeBufferPointer(start: hub, count: count)) }
    if hasTeacher {
      table.teacher.append(contentsOf: UnsafeBufferPointer(start: teacher, count: count))
    }
    if hasTimestamp {
      table.submittedAt.append(contentsOf: UnsafeBufferPointer(start: submittedAt, count: count))
    }
    count = 0
  }
}
