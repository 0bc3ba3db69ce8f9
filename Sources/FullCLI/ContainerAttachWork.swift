import CLI
import ContainerSelection
import Manager
import Model
import Runtimes

extension AttachUprobe: FullCommandWork {
    /// Attaches in every container the `--containers-*` selectors pick, once
    /// or, with `--watch`, as they come and go.
    package func perform() throws {
        var selector = ContainerSelector(namespace: containersNamespace, containerNames: ValueSyntax.list(containerNames))
        if let podSelector {
            do { selector.pods = try LabelSelector(parsing: podSelector) } catch {
                throw UsageError("--containers-pod-selector: invalid label selector: \(error.description)")
            }
        }
        let format = try common.output.format()
        let id = try ValueSyntax.programID(programID, label: "<program-id>")
        let metadata = try ValueSyntax.metadata(common.metadata)
        let manager = try CLIContext.manager()
        if watch {
            guard watchInterval > 0 else { throw UsageError("--watch-interval: must be > 0") }
            let stop = StopSignal()
            try manager.watch(AttachRequest(programID: id, target: attachTarget, metadata: metadata.isEmpty ? nil : metadata), in: selector,
                              runtimeEndpoint: runtimeEndpoint, interval: watchInterval, shouldStop: stop.requested) { event in
                CLIContext.write(WatchRendering.line(event, format: format))
            }
            return
        }
        let records = try manager.attach(AttachRequest(programID: id, target: attachTarget, metadata: metadata.isEmpty ? nil : metadata),
                                         in: selector, runtimeEndpoint: runtimeEndpoint)
        var views: [LinkView] = []
        for record in records { views.append(try manager.link(record.id)) }
        if format == .json {
            CLIContext.write(JSONValue.object([("links", .array(views.map(LinkRendering.view)))]).rendered())
            return
        }
        var table = Table(["LINK ID", "KERNEL LINK ID", "PROGRAM ID", "CONTAINER PID", "ATTACHMENT"])
        for view in views {
            var containerPID = ""
            if case .uprobe(let details) = view.record.details { containerPID = String(details.containerPID) }
            table.append([view.record.id.description, view.record.kernelLinkID.map { String($0) } ?? "-", view.record.programID.description,
                          containerPID, LinkRendering.attachment(view.record.details)])
        }
        CLIContext.write(views.isEmpty ? "" : table.rendered())
    }
}
