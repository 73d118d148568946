import CRawBLAS
import LearningAnalytics

/// The operations benchmarked, each as a library call and as the raw C call on
/// preallocated buffers, so both can run side by side in one process.
public enum RawCalls {
  /// Sets OpenBLAS's thread count.
  public static func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

  /// Raw `cblas_dgemm`: C = A·B for square n x n matrices.
  public static func dgemm(_ n: Int, _ a: [Double], _ b: [Double], _ c: inout [Double]) {
    let n32 = Int32(n)
    cblas_dgemm(
      CblasColMajor, CblasNoTrans, CblasNoTrans, n32, n32, n32, 1, a, n32, b, n32, 0, &c, n32)
  }

  /// Raw `LAPACKE_dpotrf` on a fresh copy of `a` held in `work` (as a caller must, since
  /// dpotrf overwrites its input).
  public static func dpotrf(_ n: Int, _ a: [Double], _ work: inout [Double]) -> Int32 {
    work.withUnsafeMutableBufferPointer { w in
      a.withUnsafeBufferPointer { src in
        w.baseAddress!.update(from: src.baseAddress!, count: n * n)
      }
      return LAPACKE_dpotrf(
        LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), w.baseAddress, Int32(n))
    }
  }

  /// Buffers for the raw `LAPACKE_dsyevr` call.
  public struct EigenBuffers {
    public var work: [Double]
    public var w: [Double]
    public var z: [Double]
    public var isuppz: [Int32]
    public init(n: Int) {
      work = [Double](repeating: 0, count: n * n)
      w = [Double](repeating: 0, count: n)
      z = [Double](repeating: 0, count: n * n)
      isuppz = [Int32](repeating: 0, count: 2 * n)
    }
  }

  /// Raw `LAPACKE_dsyevr` (all eigenvalues and vectors) on a fresh copy of `a`.
  public static func dsyevr(_ n: Int, _ a: [Double], _ buffers: inout EigenBuffers) -> Int32 {
    var found: Int32 = 0
    let n32 = Int32(n)
    return buffers.work.withUnsafeMutableBufferPointer { wk in
      a.withUnsafeBufferPointer { src in
        wk.baseAddress!.update(from: src.baseAddress!, count: n * n)
      }
      return LAPACKE_dsyevr(
        LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "A")),
        CChar(UInt8(ascii: "L")), n32, wk.baseAddress, n32, 0, 0, 0, 0, 0, &found,
        &buffers.w, &buffers.z, n32, &buffers.isuppz)
    }
  }
}
