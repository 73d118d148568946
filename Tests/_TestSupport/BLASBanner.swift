import MatrixCore
import Synchronization

private let printed = Mutex(false)

/// Prints the BLAS/LAPACK configuration once per test run, so that platform-dependent
/// differences in the last digits can be explained from the log.
public func printBLASConfigurationOnce() {
  let first = printed.withLock { done in
    defer { done = true }
    return !done
  }
  guard first else { return }
  let c = BLASConfiguration.current
  print(
    "BLAS: \(c.buildConfiguration); core \(c.coreName); \(c.threadCount) thread(s); LAPACK \(c.lapackVersion)"
  )
}
