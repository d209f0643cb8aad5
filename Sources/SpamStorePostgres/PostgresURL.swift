import Foundation
import SpamStore

/// Where a PostgreSQL store lives, parsed from a libpq-style URL:
///
///     postgresql://user@/database?host=/run/postgresql          (Unix socket in that directory)
///     postgresql://user:password@127.0.0.1:5432/database        (TCP)
///
/// `postgres://` works too. User name and password are percent-decoded. No TLS yet: use a
/// Unix socket or a trusted network. Anything else (no user, no database, a relative socket
/// directory, a port out of range, an unknown parameter) is ``StoreError/invalidStoreURL(_:reason:)``
/// at parse time, not a connection failure later.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file itself (`<directory>/.s.PGSQL.<port>`, as libpq names it).
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String?
    public var database: String

    public static let defaultPort = 5432

    public init(endpoint: Endpoint, user: String, password: String?, database: String) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
    }

    public init(_ string: String) throws {
        func invalid(_ reason: String) -> StoreError { .invalidStoreURL(Self.redacted(string), reason: reason) }
        guard let components = URLComponents(string: string) else { throw invalid("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgresql" || scheme == "postgres" else {
            throw invalid("the scheme must be postgresql://")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw invalid("no user name (postgresql://USER@…)")
        }
        let path = components.path
        let database = (path.hasPrefix("/") ? String(path.dropFirst()) : path).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw invalid("no database name (…/DATABASE at the end of the path)")
        }

        var socketDirectory: String?
        var queryPort: Int?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let value = item.value, value.hasPrefix("/") else {
                    throw invalid("host= must be the absolute path of the socket directory")
                }
                socketDirectory = value
            case "port":
                guard let value = item.value, let port = Int(value) else { throw invalid("port= must be a number") }
                queryPort = port
            default:
                throw invalid("unknown parameter \(item.name.debugDescription) (known: host, port)")
            }
        }
        let port = queryPort ?? components.port ?? Self.defaultPort
        guard (1...65_535).contains(port) else { throw invalid("port \(port) is not in 1...65535") }

        let host = components.host ?? ""
        switch (host.isEmpty, socketDirectory) {
        case (true, let directory?):
            endpoint = .unixSocket(path: directory + (directory.hasSuffix("/") ? "" : "/") + ".s.PGSQL.\(port)")
        case (false, nil):
            endpoint = .tcp(host: host, port: port)
        case (false, _?):
            throw invalid("give either a host name or host=/socket/directory, not both")
        case (true, nil):
            throw invalid("no host: postgresql://user@HOST/db, or postgresql://user@/db?host=/socket/directory")
        }
        self.user = user
        password = components.password.flatMap { $0.removingPercentEncoding }
        self.database = database
    }

    /// The URL as `init(_:)` reads it, password included: for handing to another process
    /// (`siftd --store-url`), never for a log.
    public var urlString: String {
        let credentials = user + (password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
        switch endpoint {
        case let .tcp(host, port):
            return "postgresql://\(credentials)@\(host):\(port)/\(database)"
        case let .unixSocket(path):
            // The endpoint is the socket file, DIRECTORY/.s.PGSQL.PORT.
            let file = URL(fileURLWithPath: path)
            let port = file.lastPathComponent.split(separator: ".").last.map(String.init) ?? "\(Self.defaultPort)"
            return "postgresql://\(credentials)@/\(database)?host=\(file.deletingLastPathComponent().path)&port=\(port)"
        }
    }

    /// The URL without its password, for logs and errors.
    public var description: String {
        let credentials = user + (password == nil ? "" : ":***")
        switch endpoint {
        case let .tcp(host, port):
            return "postgresql://\(credentials)@\(host):\(port)/\(database)"
        case let .unixSocket(path):
            return "postgresql://\(credentials)@/\(database) (socket \(path))"
        }
    }

    /// `string` with any password replaced by `***`, so a malformed URL can be quoted safely.
    static func redacted(_ string: String) -> String {
        guard let schemeEnd = string.range(of: "://"),
            let at = string[schemeEnd.upperBound...].firstIndex(of: "@"),
            let colon = string[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return string }
        return String(string[..<string.index(after: colon)]) + "***" + String(string[at...])
    }
}
