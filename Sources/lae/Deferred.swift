import Foundation

/// A value computed on another thread while the command goes on (or, run in line, when first
/// asked for): the input's fingerprint beside the fit, say.
final class Deferred<Value: Sendable>: @unchecked Sendable {
  private var result: Result<Value, any Error>?
  private let body: @Sendable () throws -> Value
  private let done = DispatchSemaphore(value: 0)
  private let inBackground: Bool

  init(inBackground: Bool, _ body: @escaping @Sendable () throws -> Value) {
    self.body = body
    self.inBackground = inBackground
    if inBackground {
      Thread.detachNewThread { [self] in
        result = Result(catching: body)
        done.signal()
      }
    }
  }

  /// The value, waiting for the other thread if it is still at work; rethrows its error.
  func value() throws -> Value {
    if inBackground {
      done.wait()
      done.signal()  // a later call does not wait
    }
    let value = result ?? Result(catching: body)
    result = value
    return try value.get()
  }
}
