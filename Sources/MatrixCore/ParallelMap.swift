import Dispatch
import Synchronization

/// `(0..<count).map(body)` on up to `threads` threads, each taking the next task when it is
/// free (tasks of uneven cost balance themselves); the result is in task order whatever the
/// thread count, so it does not depend on it when `body` does not.
package func parallelMap<T: Sendable>(
  _ count: Int, threads: Int, _ body: @Sendable (Int) -> T
) -> [T] {
  let workers = Swift.max(1, Swift.min(threads, count))
  guard workers > 1 else { return (0..<count).map(body) }
  let slots = Mutex([T?](repeating: nil, count: count))
  let next = Mutex(0)
  DispatchQueue.concurrentPerform(iterations: workers) { _ in
    while true {
      let i = next.withLock { (n: inout Int) -> Int in
        n += 1
        return n - 1
      }
      guard i < count else { break }
      let value = body(i)
      slots.withLock { $0[i] = value }
    }
  }
  return slots.withLock { $0.compactMap { $0 } }
}
