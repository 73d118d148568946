internal import _CLAPACK

/// The BLAS/LAPACK build this process runs on, and its thread count.
///
/// ```swift
/// let blas = BLASConfiguration.current
/// print(blas.buildConfiguration)   // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... SkylakeX ..."
/// BLASConfiguration.setThreadCount(1)
/// ```
///
/// ## Threading policy
/// The engine works on many small matrices (per school, per EM step, per θ evaluation), where
/// BLAS threads add overhead and noise rather than speed. So:
/// - The library never changes the thread count behind your back, except inside
///   ``withThreadCount(_:_:)``, which restores the previous count when it returns.
/// - Whenever the library runs its own parallel loops (restarts, bootstrap replicates, schools),
///   it runs them inside `withThreadCount(1)`, so that BLAS is single-threaded inside them and
///   the machine is never oversubscribed.
/// - The `lae` command sets 1 BLAS thread at start unless `--blas-threads N` (or the
///   environment variable `OPENBLAS_NUM_THREADS`) says otherwise. Raise it only for single big
///   dense operations (n ≥ 1000).
///
/// OpenBLAS's thread count is process-global: do not change it from several threads at once.
public struct BLASConfiguration: Sendable, Equatable, Codable {
  /// `openblas_get_config()`, e.g. `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64`.
  public let buildConfiguration: String
  /// `openblas_get_corename()`: the kernel family picked at run time (e.g. `SkylakeX`).
  public let coreName: String
  /// Threads OpenBLAS uses now (`openblas_get_num_threads()`).
  public let threadCount: Int
  /// Processors OpenBLAS sees (`openblas_get_num_procs()`).
  public let processorCount: Int
  /// Threading model: `sequential`, `pthreads` or `openmp` (`openblas_get_parallel()`).
  public let parallelism: String
  /// LAPACK version reported by `ilaver` (e.g. `3.11.0`).
  public let lapackVersion: String

  /// The configuration as of now.
  public static var current: BLASConfiguration {
    var major: Int32 = 0
    var minor: Int32 = 0
    var patch: Int32 = 0
    LAPACKE_ilaver(&major, &minor, &patch)
    let parallel: String
    switch openblas_get_parallel() {
    case 0: parallel = "sequential"
    case 1: parallel = "pthreads"
    default: parallel = "openmp"
    }
    return BLASConfiguration(
      buildConfiguration: openblas_get_config().map { String(cString: $0) }?
        .trimmingTrailingSpaces ?? "unknown",
      coreName: openblas_get_corename().map { String(cString: $0) } ?? "unknown",
      threadCount: Int(openblas_get_num_threads()),
      processorCount: Int(openblas_get_num_procs()),
      parallelism: parallel,
      lapackVersion: "\(major).\(minor).\(patch)")
  }

  /// Sets the number of threads BLAS may use (at least 1).
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1, "BLAS thread count must be at least 1, got \(count)")
    openblas_set_num_threads(Int32(count))
  }

  /// Runs `body` with BLAS limited to `count` threads, then restores the previous count.
  public static func withThreadCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
    let previous = Int(openblas_get_num_threads())
    if previous != count { setThreadCount(count) }
    defer { if previous != count { setThreadCount(previous) } }
    return try body()
  }
}

extension String {
  fileprivate var trimmingTrailingSpaces: String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
