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

/// Runs `body(0)`, …, `body(workers − 1)`: on the calling thread for one worker, otherwise
/// concurrently (`DispatchQueue.concurrentPerform`).
package func forEachWorker(_ workers: Int, _ body: @Sendable (Int) -> Void) {
  if workers <= 1 {
    body(0)
  } else {
    DispatchQueue.concurrentPerform(iterations: workers, execute: body)
  }
}
