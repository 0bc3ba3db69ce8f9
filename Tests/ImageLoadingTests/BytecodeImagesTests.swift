import ImageLoading
import Model
import Testing
import TestSupport

/// What `image build` computes from objects, without a registry or root.
@Suite("BytecodeImages: sources and labels")
struct BytecodeImagesTests {
    @Test("a source is FILE or os/arch=FILE; a path with = but no platform stays a path")
    func sources() throws {
        #expect(try BytecodeImages.Source(parsing: "x.o") == BytecodeImages.Source(platform: nil, path: "x.o"))
        let multi = try BytecodeImages.Source(parsing: "linux/arm64=build/x.o")
        #expect(multi.path == "build/x.o" && multi.platform != nil)
        #expect(try BytecodeImages.Source(parsing: "a=b.o").path == "a=b.o")
    }

    @Test("labels name each program's bpfman type from its section, and each map's libbpf type")
    func labels() throws {
        let labels = try BytecodeImages.labels(forObject: TestEnvironment.object("multi"))
        #expect(Set(labels.programs.values) == [.uprobe, .tracepoint, .xdp])
        let missing = TestEnvironment.object("no_such_object")
        do {
            _ = try BytecodeImages.labels(forObject: missing)
            Issue.record("a missing object was labelled")
        } catch {
            #expect(error.code == .notFound && error.message == "open bytecode ELF: open \(missing): no such file or directory")
        }
    }
}
