import Logging

/// The swift-log handler behind every bpfman logger: one line per event in
/// the reference's layout, filtered by the level the process's log spec
/// gives the logger's component.
///
/// The component is the logger's `component` metadata when set, otherwise
/// its label. The level is read from the spec at each call, so a logger
/// made before ``Log/bootstrap(spec:format:sink:)`` follows it too.
package struct BpfmanLogHandler: LogHandler {
    /// The logger's label.
    package let label: String
    /// Metadata written on each of the logger's lines.
    package var metadata: Logger.Metadata = [:]
    /// Set by `logger.logLevel = …`, which then overrides the spec.
    private var levelOverride: Logger.Level?
    /// Where the spec, format and output come from.
    private let settings: LogSettingsSource

    /// Creates a handler for a logger labelled `label`, following the
    /// process's log settings.
    package init(label: String) {
        self.init(label: label, settings: .process)
    }

    /// Creates a handler following `settings` (tests use their own).
    package init(label: String, settings: LogSettingsSource) {
        self.label = label
        self.settings = settings
    }

    /// The component whose level applies.
    package var component: String {
        switch metadata[LogKey.component] {
        case .string(let name)?: return name
        case .stringConvertible(let name)?: return name.description
        default: return label
        }
    }

    /// The level the spec gives ``component``, unless set on the logger.
    package var logLevel: Logger.Level {
        get { levelOverride ?? settings.current.spec.level(for: component) }
        set { levelOverride = newValue }
    }

    /// One item of ``metadata``.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one line: the component first, then the logger's
    /// metadata and the event's own, each sorted by key, then its error.
    package func log(event: LogEvent) {
        let own = event.metadata ?? [:]
        var attributes: [(key: String, value: Logger.MetadataValue)] = [(key: LogKey.component, value: .string(component))]
        attributes += metadata.filter { $0.key != LogKey.component && own[$0.key] == nil }.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        attributes += own.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        if let error = event.error { attributes.append((key: LogKey.error, value: .string(String(describing: error)))) }
        let current = settings.current
        let line = LogLine(time: .now(), level: event.level, message: event.message.description, attributes: attributes)
        current.sink(line.rendered(current.format))
    }
}
