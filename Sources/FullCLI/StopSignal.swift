import Dispatch
import Glibc
import Synchronization

/// SIGINT/SIGTERM as a flag for long-running commands: the first signal asks
/// them to stop, a second one exits 1 (cli.md §1).
final class StopSignal {
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let sources: [DispatchSourceSignal]

    init() {
        let flag = self.flag
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if flag.value.exchange(true, ordering: .relaxed) { exit(1) }
            }
            source.resume()
            return source
        }
    }

    /// Whether a stop was requested.
    func requested() -> Bool { flag.value.load(ordering: .relaxed) }
}
