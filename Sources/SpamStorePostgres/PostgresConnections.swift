import Dispatch
import Logging
import NIOCore
import PostgresNIO
import SpamStore
import Synchronization

/// Connections to one PostgreSQL database, for callers on blocking threads (the store's
/// contract is synchronous): each call takes an idle connection or opens one, waits for
/// postgres-nio's futures, and puts the connection back unless it broke. Never call it from
/// a SwiftNIO event loop: waiting there would deadlock.
///
/// No background reconnect loop: a call made while the server is down fails at once with
/// ``StoreError/storeUnavailable(detail:)``, and the next call tries again.
final class PostgresConnections: Sendable {
    let url: PostgresURL
    private let configuration: PostgresConnection.Configuration
    /// Discards postgres-nio's own logging: the store's errors carry what matters.
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var idle: [PostgresConnection] = []
        var nextID = 0
        var closed = false
    }

    /// How long any one wait on the server may take (see ``PostgresStore/Options/callTimeout``).
    let callTimeout: Duration

    init(url: PostgresURL, connectTimeout: Duration, callTimeout: Duration = .seconds(30)) {
        self.url = url
        self.callTimeout = callTimeout
        var configuration: PostgresConnection.Configuration
        switch url.endpoint {
        case let .tcp(host, port):
            configuration = .init(
                host: host, port: port, username: url.user, password: url.password, database: url.database, tls: .disable)
        case let .unixSocket(path):
            configuration = .init(unixSocketPath: path, username: url.user, password: url.password, database: url.database)
        }
        configuration.options.connectTimeout = .nanoseconds(connectTimeout.wholeNanoseconds)
        self.configuration = configuration
        logger = Logger(label: "sift.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    deinit {
        for connection in state.withLock({ $0.idle }) { Self.closeInBackground(connection) }
    }

    /// Closes the idle connections; later calls throw ``StoreError/storeUnavailable(detail:)``.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle {
            _ = try? waitForServer(connection.close(), closingOnTimeout: nil)
        }
    }

    /// A connection outside the pool, for a caller that keeps it for as long as it likes (a
    /// listener): it is the caller's to close. Throws ``StoreError/storeUnavailable(detail:)``.
    func openDedicated() async throws -> PostgresConnection {
        let id = try state.withLock { state in
            if state.closed { throw StoreError.storeUnavailable(detail: "the store was closed") }
            state.nextID += 1
            return state.nextID
        }
        let (configuration, logger) = (self.configuration, self.logger)
        // connectTimeout covers the socket; a server that accepts and never answers the startup
        // is given callTimeout, as every other wait. Connecting ends when cancelled.
        let connection: PostgresConnection?
        do {
            connection = try await withinCallTimeout {
                try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
            }
        } catch {
            throw StoreError.storeUnavailable(detail: "cannot connect to \(url): \(Self.describe(error))")
        }
        guard let connection else {
            throw StoreError.storeUnavailable(detail: "no answer from \(url) within \(callTimeout) while connecting")
        }
        return connection
    }

    /// `work`'s result, or nil when `callTimeout` passes first: the async twin of
    /// `waitForServer`. `giveUp` runs when the wait ends without a result (the deadline, an
    /// error, cancellation) and before `work` is awaited to its end, so it must make a `work`
    /// that ignores cancellation end: closing its connection fails a query in flight.
    func withinCallTimeout<T: Sendable>(
        _ work: @escaping @Sendable () async throws -> T, giveUp: @Sendable () async -> Void = {}
    ) async throws -> T? {
        let callTimeout = self.callTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: callTimeout)
                return nil
            }
            defer { group.cancelAll() }
            let first: T??
            do {
                first = try await group.next()
            } catch {
                await giveUp()
                throw error
            }
            guard let result = first ?? nil else {
                await giveUp()
                return nil
            }
            return result
        }
    }

    /// Runs `body` on one connection, in a transaction: committed when this returns, rolled
    /// back when `body` throws.
    func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try run("BEGIN", on: connection)
            do {
                let value = try body(connection)
                try run("COMMIT", on: connection)
                return value
            } catch {
                // A broken connection cannot roll back; the server drops its transaction anyway.
                // One that is open but cannot roll back must not go back to the idle list still
                // inside the transaction: close it (closed connections are never reused).
                if !connection.isClosed {
                    do {
                        try run("ROLLBACK", on: connection)
                    } catch {
                        _ = try? waitForServer(connection.close(), closingOnTimeout: nil)
                    }
                }
                throw error
            }
        }
    }

    /// Runs `body` on one connection, outside any explicit transaction (each statement commits).
    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let value = try body(connection)
            checkIn(connection)
            return value
        } catch {
            checkIn(connection)
            throw Self.storeError(error)
        }
    }

    @discardableResult
    func run(_ query: PostgresQuery, on connection: PostgresConnection) throws -> PostgresQueryResult {
        try waitForServer(connection.query(query, logger: logger), closingOnTimeout: connection)
    }

    /// Waits for `future` at most `callTimeout`; past that, closes `connection` (which fails
    /// whatever it still has in flight, and keeps it out of the idle list) and throws
    /// ``StoreError/storeUnavailable(detail:)``: whether a statement in flight took effect is
    /// unknown, so nothing is acknowledged.
    private func waitForServer<T: Sendable>(_ future: EventLoopFuture<T>, closingOnTimeout connection: PostgresConnection?) throws -> T {
        let outcome = CallOutcome<T>()
        future.whenComplete { outcome.finish($0) }
        guard let result = outcome.wait(for: callTimeout) else {
            if let connection { Self.closeInBackground(connection) }
            throw StoreError.storeUnavailable(detail: "no answer from \(url) within \(callTimeout); its connection was closed")
        }
        return try result.get()
    }

    private func checkOut() throws -> PostgresConnection {
        let (reused, id) = try state.withLock { state -> (PostgresConnection?, Int) in
            if state.closed { throw StoreError.storeUnavailable(detail: "the store was closed") }
            if let connection = state.idle.popLast() { return (connection, 0) }
            state.nextID += 1
            return (nil, state.nextID)
        }
        if let reused, !reused.isClosed { return reused }
        do {
            let connecting = PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: id, logger: logger)
            let connection: PostgresConnection
            do {
                connection = try waitForServer(connecting, closingOnTimeout: nil)
            } catch {
                // Given up on: if it opens after all, it is closed rather than left open.
                connecting.whenSuccess { Self.closeInBackground($0) }
                throw error
            }
            // Whatever the server's default: a commit (a label) is flushed before it returns.
            // Journal batches opt out per transaction (SET LOCAL).
            do {
                try run("SET synchronous_commit = on", on: connection)
            } catch {
                Self.closeInBackground(connection)
                throw error
            }
            return connection
        } catch {
            throw StoreError.storeUnavailable(detail: "cannot connect to \(url): \(Self.describe(error))")
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let keep = state.withLock { state in
            if state.closed { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { Self.closeInBackground(connection) }
    }

    private static func closeInBackground(_ connection: PostgresConnection) {
        let _: EventLoopFuture<Void> = connection.close()
    }

    /// What a caller can act on: the server unreachable or gone mid-call (retry later), or a
    /// statement it refused (a bug or a permission, not worth retrying).
    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if error.code == .server, let info = error.serverInfo {
            let sqlState = info[.sqlState] ?? ""
            // Class 08: connection exception; 57: operator intervention (shutdown, restart).
            if sqlState.hasPrefix("08") || sqlState.hasPrefix("57") {
                return StoreError.storeUnavailable(detail: describe(error))
            }
            return StoreError.databaseError(detail: describe(error))
        }
        return StoreError.storeUnavailable(detail: describe(error))
    }

    /// PSQLError's own description hides the server's message (it may quote data); the store's
    /// errors go to its operator, so they say what the server said.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return [info[.severity], info[.sqlState], info[.message], info[.detail]].compactMap { $0 }.joined(separator: " ")
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}

/// The result of one future, handed from the event loop to the blocked caller.
private final class CallOutcome<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ value: Result<T, any Error>) {
        result.withLock { $0 = value }
        done.signal()
    }

    /// nil when `timeout` passed first.
    func wait(for timeout: Duration) -> Result<T, any Error>? {
        guard done.wait(timeout: .now() + .nanoseconds(Int(timeout.wholeNanoseconds))) == .success else { return nil }
        return result.withLock { $0 }
    }
}

extension Duration {
    /// For the APIs that take nanoseconds (NIO's TimeAmount, Dispatch's deadlines).
    fileprivate var wholeNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
