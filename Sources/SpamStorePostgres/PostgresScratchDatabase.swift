import PostgresNIO
import SpamStore

/// A database created for one measurement or test (`sift bench store --store-url`, the
/// PostgreSQL contract tests) in the cluster a URL names, and dropped afterwards, so they never
/// write into a database that holds anything. The URL's role needs CREATEDB.
public final class PostgresScratchDatabase: Sendable {
    /// The scratch database: the server's URL with another database name.
    public let url: PostgresURL
    private let name: String
    private let admin: PostgresConnections

    /// Creates `<prefix>_<random hex>`; `prefix` must be a plain lower-case SQL identifier.
    public init(server: PostgresURL, prefix: String) throws {
        guard !prefix.isEmpty, prefix.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw StoreError.invalidArgument("database name prefix \(prefix.debugDescription) is not a plain identifier")
        }
        let admin = PostgresConnections(url: server, connectTimeout: .seconds(5))
        let name = prefix + "_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try admin.withConnection { connection in
            try admin.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), on: connection)
        }
        self.admin = admin
        self.name = name
        url = PostgresURL(endpoint: server.endpoint, user: server.user, password: server.password, database: name)
    }

    /// Drops the database. Close every store on it first: the server waits up to 5 s for
    /// sessions still closing and cancels autovacuum there itself. (Not `WITH (FORCE)`: that
    /// needs the right to signal autovacuum's superuser processes, which the role may lack.)
    public func drop() throws {
        defer { admin.close() }
        try admin.withConnection { connection in
            try admin.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)"), on: connection)
        }
    }
}

extension PostgresStore {
    /// The server's version, as `SHOW server_version` says it (for benchmark reports).
    public func serverVersion() throws -> String {
        try connections.withConnection { connection in
            try connections.run("SHOW server_version", on: connection).first!.decode(String.self)
        }
    }
}
