import ServiceLifecycle
import UnixSignals

/// Reloads config and model on SIGHUP, one reload at a time.
struct ReloadService: Service {
    let reloader: Reloader
    /// Created (and its handler installed) before the socket is bound, so a SIGHUP that comes
    /// as soon as clients can connect is queued here instead of killing the process.
    let hangups: UnixSignalsSequence

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reloader.reload()
        }
    }
}
