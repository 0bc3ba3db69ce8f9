import Foundation
import LinuxSys
import Testing

/// Reading files a client names: never blocking on what is not a regular
/// file. Unprivileged.
@Suite("FileSystem.readRegularFile: FIFOs and devices are refused at once")
struct FileSystemTests {
    @Test("a FIFO with no writer, a directory and a character device are refused by kind; a regular file is read")
    func kinds() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpfman-fs-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo", file = directory + "/file"
        #expect(mkfifo(fifo, 0o600) == 0)
        try Data("abc".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: FileReadError.notRegularFile(.fifo)) { _ = try FileSystem.readRegularFile(fifo) }
        #expect(throws: FileReadError.notRegularFile(.directory)) { _ = try FileSystem.readRegularFile(directory) }
        #expect(throws: FileReadError.notRegularFile(.characterDevice)) { _ = try FileSystem.readRegularFile("/dev/null") }
        #expect(try FileSystem.readRegularFile(file) == Array("abc".utf8))
        #expect(throws: FileReadError.system(.noSuchFileOrDirectory)) { _ = try FileSystem.readRegularFile(directory + "/missing") }
    }
}
