import Glibc

/// Where a reader's bytes come from, read in chunks so that memory stays bounded.
public protocol ByteSource {
  /// Appends at most `maxCount` bytes to `buffer` and returns how many were appended;
  /// 0 means the end of the input.
  mutating func read(into buffer: inout [UInt8], maxCount: Int) throws(IngestError) -> Int
  /// The name used in messages (the path, or `-` for standard input).
  var name: String { get }
}

/// Reads a file (or standard input) with `read(2)`.
public struct FileByteSource: ByteSource {
  /// The path as given (`-` is standard input).
  public let name: String
  private let descriptor: Int32
  private let ownsDescriptor: Bool

  /// Opens `path` for reading; `-` means standard input.
  ///
  /// - Throws: ``IngestError/unreadableFile(path:reason:)``.
  public init(path: String) throws(IngestError) {
    name = path
    if path == "-" {
      descriptor = 0
      ownsDescriptor = false
      return
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw IngestError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    var info = stat()
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      Glibc.close(fd)
      throw IngestError.unreadableFile(path: path, reason: "it is a directory")
    }
    descriptor = fd
    ownsDescriptor = true
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
      sizeHint = Int(info.st_size)
    }
  }

  /// The file's size when it is a regular file (readers use it to size their tables).
  var sizeHint: Int?

  /// Closes the file (standard input is left open).
  public func close() { if ownsDescriptor { Glibc.close(descriptor) } }

  /// Bytes read so far.
  private var consumed = 0

  public mutating func read(into buffer: inout [UInt8], maxCount: Int) throws(IngestError) -> Int {
    // The chunk is zero-filled before read(2) fills it: a regular file's remaining size
    // (and a page more, should it have grown) bounds it, so that a small file does not touch
    // a megabyte of fresh pages.
    var want = maxCount
    if let size = sizeHint { want = Swift.min(maxCount, Swift.max(size - consumed, 0) + 4096) }
    let old = buffer.count
    buffer.reserveCapacity(old + want)
    var got = 0
    var failure: Int32 = 0
    buffer.append(contentsOf: repeatElement(0, count: want))
    buffer.withUnsafeMutableBufferPointer { p in
      while true {
        let r = Glibc.read(descriptor, p.baseAddress! + old, want)
        if r < 0 && errno == EINTR { continue }
        if r < 0 { failure = errno } else { got = r }
        break
      }
    }
    buffer.removeLast(want - got)
    consumed += got
    if failure != 0 {
      throw IngestError.unreadableFile(path: name, reason: String(cString: strerror(failure)))
    }
    return got
  }
}

/// Serves bytes held in memory, in chunks of a chosen size (tests use 1-byte chunks to prove
/// that chunk boundaries never change what is read).
public struct MemoryByteSource: ByteSource {
  /// The name used in messages.
  public let name: String
  private let bytes: [UInt8]
  private let chunkSize: Int
  private var position = 0

  /// Serves `bytes` at most `chunkSize` at a time.
  public init(_ bytes: [UInt8], name: String = "<memory>", chunkSize: Int = 1 << 20) {
    precondition(chunkSize > 0, "chunkSize must be positive")
    self.bytes = bytes
    self.name = name
    self.chunkSize = chunkSize
  }

  public mutating func read(into buffer: inout [UInt8], maxCount: Int) throws(IngestError) -> Int {
    let n = Swift.min(maxCount, chunkSize, bytes.count - position)
    guard n > 0 else { return 0 }
    buffer.append(contentsOf: bytes[position..<(position + n)])
    position += n
    return n
  }
}
