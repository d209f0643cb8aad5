import Logging
import NIOCore

extension SocketServer {
    /// The SPAMC socket (`spamc.socket`): bound like the main socket (private name, permissions,
    /// rename; never socket-activated), with a ``SpamcConnectionHandler`` per client.
    static func bindSpamc(
        daemon: DaemonContext, socket: DaemonConfig.Socket, responder: SpamcResponder, group: any EventLoopGroup, logger: Logger
    ) async throws -> SocketServer {
        try await listen(daemon: daemon, socket: socket, adoptsActivatedSocket: false, group: group, logger: logger) { channel, peer in
            // Read per connection, so a reload applies to new connections.
            let settings = SpamcConnectionHandler.Settings(daemon.config)
            try channel.pipeline.syncOperations.addHandler(
                SpamcConnectionHandler(
                    responder: responder, registry: daemon.connections, admission: daemon.admission, peer: peer, settings: settings, logger: logger))
        }
    }
}
