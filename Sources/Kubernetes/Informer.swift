/// Keeps a local copy of a collection in step with the server: lists, then
/// watches from the list's resource version, following bookmarks; re-lists
/// when the server says the version is too old (410 Gone); re-watches from
/// the last version seen when a stream ends; backs off on failures.
package struct Informer<Object: KubeObject>: Sendable {
    /// The client.
    package var client: KubeClient
    /// The resource type.
    package var resource: KubeResource
    /// The namespace, or nil for all.
    package var namespace: String?
    /// A label selector, or nil.
    package var labelSelector: String?
    /// A field selector, or nil (the agent's pods: `spec.nodeName=<node>`).
    package var fieldSelector: String?
    /// Seconds each watch request asks the server to keep the stream open.
    package var watchTimeout: Int
    /// The first and the largest wait after a failure, in seconds.
    package var backoff: (first: Double, max: Double)

    /// Creates an informer.
    package init(client: KubeClient, resource: KubeResource, namespace: String? = nil, labelSelector: String? = nil,
                 fieldSelector: String? = nil, watchTimeout: Int = 300, backoff: (first: Double, max: Double) = (0.2, 5)) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.watchTimeout = watchTimeout
        self.backoff = backoff
    }

    /// Runs until the task is cancelled, calling `changed` with the whole
    /// current collection (keyed `namespace/name`) after each list and each
    /// change, and `failed` for each failed request (then retried).
    package func run(changed: ([String: Object]) async -> Void, failed: (KubeError) async -> Void = { _ in }) async {
        var objects: [String: Object] = [:]
        var resourceVersion: String?
        var wait = backoff.first
        while !Task.isCancelled {
            do throws(KubeError) {
                if resourceVersion == nil {
                    let list = try await client.list(resource, namespace: namespace, labelSelector: labelSelector,
                                                     fieldSelector: fieldSelector, as: Object.self)
                    objects = Dictionary(list.items.map { (Self.key($0), $0) }) { _, later in later }
                    resourceVersion = list.metadata.resourceVersion ?? "0"
                    await changed(objects)
                }
                try await client.watch(resource, namespace: namespace, resourceVersion: resourceVersion, labelSelector: labelSelector,
                                       fieldSelector: fieldSelector, timeoutSeconds: watchTimeout, as: Object.self) { (event) throws(KubeError) in
                    switch event {
                    case .added(let object), .modified(let object):
                        objects[Self.key(object)] = object
                        resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                    case .deleted(let object):
                        objects[Self.key(object)] = nil
                        resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                    case .bookmark(let version):
                        resourceVersion = version
                        return
                    }
                    await changed(objects)
                }
                wait = backoff.first
            } catch {
                await failed(error)
                if error.isExpired {
                    resourceVersion = nil
                    continue
                }
                try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                wait = min(wait * 2, backoff.max)
            }
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    package static func key(_ object: Object) -> String {
        object.metadata.namespace.map { "\($0)/\(object.metadata.name)" } ?? object.metadata.name
    }
}
