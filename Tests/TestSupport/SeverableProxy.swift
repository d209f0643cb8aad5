import Foundation
import SpamStorePostgres
import Synchronization

/// A Unix-socket proxy in front of a PostgreSQL server that a test can sever and restore: one
/// node's network partition, while the other nodes keep their own connections to the server.
/// Severed, it closes every connection it carries and closes each new one as soon as it is
/// accepted (what a client sees of a peer gone: a reset, then refused reconnects). Silenced,
/// it keeps every connection open but holds what is sent either way until restored (a network
/// that drops packets: nothing fails, nothing arrives; TCP delivers it all once it heals).
public final class SeverableProxy: Sendable {
    /// `server` with its endpoint replaced by this proxy's socket.
    public let url: PostgresURL
    private let upstream: PostgresURL.Endpoint
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var severed = false
        var silenced = false
        var stopped = false
        /// Both ends of every connection carried now.
        var open: Set<Int32> = []
    }

    public init(server: PostgresURL, directory: TemporaryDirectory) throws {
        let path = directory.url.appendingPathComponent(".s.PGSQL.5432").path
        var url = server
        url.endpoint = .unixSocket(path: path)
        self.url = url
        upstream = server.endpoint
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ProxyError("socket: errno \(errno)") }
        let bound = try UnixSocketAddress.with(path) { bind(listener, $0, $1) }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw ProxyError("bind/listen \(path): errno \(errno)")
        }
        Thread { [self] in acceptLoop() }.start()
    }

    /// Cuts every connection through the proxy and refuses new ones until ``restore()``.
    public func sever() {
        // Under the lock, as closing is: a descriptor in `open` is still this proxy's.
        state.withLock { state in
            state.severed = true
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Holds everything sent through the proxy, both ways, until ``restore()``.
    public func silence() {
        state.withLock { $0.silenced = true }
    }

    public func restore() {
        state.withLock { state in
            state.severed = false
            state.silenced = false
        }
    }

    /// Severs for good and stops accepting.
    public func stop() {
        state.withLock { $0.stopped = true }
        sever()
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit {
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let (severed, stopped) = state.withLock { ($0.severed, $0.stopped) }
            if stopped {
                close(client)
                return
            }
            guard !severed, let server = try? connectUpstream() else {
                close(client)
                continue
            }
            let carried = state.withLock { state -> Bool in
                guard !state.severed else { return false }
                state.open.formUnion([client, server])
                return true
            }
            guard carried else {
                close(client)
                close(server)
                continue
            }
            // Each direction on a thread of its own; the second to finish closes both ends.
            let finished = Mutex(0)
            for (from, to) in [(client, server), (server, client)] {
                Thread { [self] in
                    pump(from: from, to: to)
                    shutdown(to, Int32(SHUT_RDWR))
                    shutdown(from, Int32(SHUT_RDWR))
                    let both = finished.withLock { count in
                        count += 1
                        return count == 2
                    }
                    if both {
                        state.withLock { state in
                            state.open.subtract([client, server])
                            close(client)
                            close(server)
                        }
                    }
                }.start()
            }
        }
    }

    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            while state.withLock({ $0.silenced && !$0.severed && !$0.stopped }) { usleep(10_000) }
            var sent = 0
            while sent < count {
                // MSG_NOSIGNAL: a peer gone is an error here, not a SIGPIPE for the whole test process.
                let wrote = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if wrote < 0, errno == EINTR { continue }
                guard wrote > 0 else { return }
                sent += wrote
            }
        }
    }

    private func connectUpstream() throws -> Int32 {
        switch upstream {
        case let .unixSocket(path):
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let connected: Int32
            do {
                connected = try UnixSocketAddress.with(path) { connect(descriptor, $0, $1) }
            } catch {
                close(descriptor)
                throw error
            }
            guard connected == 0 else {
                close(descriptor)
                throw ProxyError("connect \(path): errno \(errno)")
            }
            return descriptor
        case let .tcp(host, port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var found: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, "\(port)", &hints, &found) == 0, let first = found else {
                throw ProxyError("cannot resolve \(host)")
            }
            defer { freeaddrinfo(found) }
            let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
            guard connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                close(descriptor)
                throw ProxyError("connect \(host):\(port): errno \(errno)")
            }
            return descriptor
        }
    }
}

public struct ProxyError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
