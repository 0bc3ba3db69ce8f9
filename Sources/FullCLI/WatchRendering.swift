import CLI
import ContainerSelection
import Manager
import Model

/// One output line per selector-watch event: text, or one JSON object per line.
enum WatchRendering {
    static func line(_ event: WatchEvent, format: OutputFormat) -> String {
        switch (event, format) {
        case (.attached(let link, let container), .json):
            return JSONValue.object([("event", .string("attached")), ("link", LinkRendering.record(link)),
                                     ("container", .object([("id", .string(container.id)), ("name", .string(container.name)),
                                                            ("pod", .string(container.pod)), ("namespace", .string(container.namespace)),
                                                            ("pid", .int(Int64(container.pid.rawValue)))]))]).compact() + "\n"
        case (.attached(let link, let container), .text):
            return "attached link \(link.id) in container \(container.name) (pod \(container.namespace)/\(container.pod), pid \(container.pid))\n"
        case (.detached(let link, let container), .json):
            return JSONValue.object([("event", .string("detached")), ("link_id", .uint(link.rawValue)), ("container_id", .string(container))]).compact() + "\n"
        case (.detached(let link, let container), .text):
            return "detached link \(link): container \(container.prefix(13)) is gone\n"
        case (.failed(let message), .json):
            return JSONValue.object([("event", .string("error")), ("message", .string(message))]).compact() + "\n"
        case (.failed(let message), .text):
            return "error: \(message)\n"
        }
    }
}
