import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SiftSystemd

/// Listens on a Unix socket, the main one or the SPAMC one, and sets up a handler per client.
///
/// At graceful shutdown it stops accepting, removes the socket file, lets every connection
/// answer what it has read (up to `shutdown.drain_timeout_seconds`), then closes them.
final class SocketServer: Service {
    private let daemon: DaemonContext
    private let listener: any Channel
    private let path: String
    /// Socket-activated: systemd owns the socket file, so shutdown leaves it in place.
    private let activated: Bool
    private let logger: Logger

    private init(daemon: DaemonContext, listener: any Channel, path: String, activated: Bool, logger: Logger) {
        self.daemon = daemon
        self.listener = listener
        self.path = path
        self.activated = activated
        self.logger = logger
    }

    /// The main socket: adopts the socket systemd passed (siftd.socket), or else binds the
    /// configured path; runs a ``ConnectionHandler`` (the JSON-lines protocol) per client.
    static func bind(daemon: DaemonContext, router: RequestRouter, group: any EventLoopGroup, logger: Logger) async throws -> SocketServer {
        try await listen(daemon: daemon, socket: daemon.config.socket, adoptsActivatedSocket: true, group: group, logger: logger) { channel, peer in
            // Limits are read per connection, so a reload applies to new connections.
            let limits = ConnectionHandler.Limits(daemon.config.limits)
            try channel.pipeline.syncOperations.addHandler(
                ConnectionHandler(router: router, registry: daemon.connections, admission: daemon.admission, peer: peer, limits: limits, logger: logger))
        }
    }

    /// Binds `socket` (replacing a stale socket file) and sets its permissions, or adopts the
    /// socket systemd passed if `adoptsActivatedSocket`; from then on `connection` sets up each
    /// accepted client's pipeline, given the peer's credentials.
    static func listen(
        daemon: DaemonContext, socket: DaemonConfig.Socket, adoptsActivatedSocket: Bool, group: any EventLoopGroup, logger: Logger,
        connection: @escaping @Sendable (any Channel, PeerCredentials) throws -> Void
    ) async throws -> SocketServer {
        let path = socket.path
        let inherited = try adoptsActivatedSocket ? SocketActivation.listeningSocket() : nil
        if inherited == nil { try SocketFile.prepare(path) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                PeerCredentials.of(channel).flatMapThrowing { peer in try connection(channel, peer) }
            }
        if let inherited {
            let listener = try await bootstrap.withBoundSocket(inherited).get()
            logger.info("listening on the socket systemd passed (socket activation)", metadata: ["fd": "\(inherited)"])
            return SocketServer(daemon: daemon, listener: listener, path: path, activated: true, logger: logger)
        }
        // The socket must never be reachable with looser permissions than configured, even
        // for an instant: bind under a private name with no access for anyone but the owner,
        // set mode and ownership, and only then rename it to the configured path.
        let privatePath = SocketFile.privateName(for: path)
        let listener = try await SocketFile.withOwnerOnlyUmask {
            try await bootstrap.bind(unixDomainSocketPath: privatePath, cleanupExistingSocketFile: true).get()
        }
        do {
            try SocketFile.setPermissions(privatePath, socket)
            try SocketFile.publish(privatePath, as: path)
        } catch {
            unlink(privatePath)
            try? await listener.close()
            throw error
        }
        logger.info("listening", metadata: ["socket": "\(path)"])
        return SocketServer(daemon: daemon, listener: listener, path: path, activated: false, logger: logger)
    }

    /// Stops listening and removes the socket file, for a daemon that fails to start after binding.
    func abandon() async {
        try? await listener.close()
        if !activated { unlink(path) }
    }

    func run() async throws {
        let listener = self.listener
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await listener.closeFuture.get()
            } onCancel: {
                listener.close(promise: nil)
                self.daemon.connections.closeAll()
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
        if !activated { unlink(path) }
        daemon.startDraining()
        daemon.connections.drainAll()
        let timeout = Duration.seconds(daemon.config.drainTimeoutSeconds)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.daemon.connections.waitUntilEmpty() }
            group.addTask {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }  // drained in time
                self.logger.warning("drain timed out; closing the remaining connections", metadata: ["open": "\(self.daemon.connections.openCount)"])
                self.daemon.connections.closeAll()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
