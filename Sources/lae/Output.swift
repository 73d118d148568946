import Foundation

/// Writing to standard output and standard error.
enum FileHandleOutput {
  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
