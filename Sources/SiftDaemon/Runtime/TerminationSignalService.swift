import Logging
import ServiceLifecycle
import UnixSignals

/// Turns the first SIGTERM or SIGINT into a graceful shutdown of the whole group (by returning:
/// it runs with `.gracefullyShutdownGroup`). The signals are trapped when the daemon starts
/// loading, so one that arrived during start-up is waiting here when serving begins.
struct TerminationSignalService: Service {
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await signal in signals {
                logger.info("shutting down", metadata: ["signal": "\(signal)"])
                return
            }
        }
    }
}
