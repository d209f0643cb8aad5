import Foundation
import SpamStorePostgres

extension DaemonConfig {
    /// Where messages, labels, training runs and models are kept (docs/scaling.md).
    public struct StoreSettings: Sendable, Equatable {
        /// `store.url`: nil is `sift.sqlite` in the state directory; a path is a SQLite file;
        /// `postgresql://…` is a database several siftd nodes share.
        public var url: String?
        /// `store.node`: this node's name among those sharing a store; by default the host name.
        public var node = StoreSettings.hostName
        /// `store.poll_interval`: how often a node on a shared store looks for a model promoted
        /// or rolled back by another node, and reports itself (`sift nodes`).
        public var pollIntervalSeconds = 2
        /// `store.listen`: whether a node on a shared store also listens for promotions and
        /// rollbacks (PostgreSQL LISTEN/NOTIFY) to swap as soon as they happen. Off behind
        /// PgBouncer in transaction mode, where LISTEN hears nothing; polling goes on either way.
        public var listen = true
        /// `store.lease`: a training run whose trainer has not renewed its heartbeat for this
        /// long is taken as dead, so that another node's schedule may start the next one.
        public var leaseSeconds = 60

        public init() {}

        /// Whether the store is a database other nodes share (PostgreSQL).
        public var isShared: Bool { url.map(Self.isDatabaseURL) ?? false }

        static func isDatabaseURL(_ text: String) -> Bool {
            text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
        }

        static var hostName: String {
            let name = ProcessInfo.processInfo.hostName
            let cleaned = String(name.prefix(64).map { NodeName.allowed($0) ? $0 : "-" })
            return cleaned.isEmpty ? "localhost" : cleaned
        }
    }

    /// The SQLite file, when the store is one.
    public var sqliteStorePath: String? {
        guard let url = store.url else { return storePath }
        return StoreSettings.isDatabaseURL(url) ? nil : url
    }
}

/// Node names appear in the store and in `sift nodes`: 1-64 of `[A-Za-z0-9._-]`.
enum NodeName {
    static func allowed(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "-" || character == "_")
    }

    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy(allowed)
    }
}

extension DaemonConfigLoader {
    static func parseStore(_ values: ConfigValues, into store: inout DaemonConfig.StoreSettings) throws {
        if let url = try values.optionalString("store.url"), !url.isEmpty {
            if DaemonConfig.StoreSettings.isDatabaseURL(url) {
                do {
                    _ = try PostgresURL(url)
                } catch {
                    throw DaemonConfigError(key: "store.url", "\(error)")
                }
            }
            store.url = url
        }
        store.node = try values.string("store.node", default: store.node).nonEmpty ?? store.node
        guard NodeName.isValid(store.node) else {
            throw DaemonConfigError(key: "store.node", "must be 1-64 of [A-Za-z0-9._-], not \(store.node.debugDescription)")
        }
        store.pollIntervalSeconds = try values.duration("store.poll_interval", default: store.pollIntervalSeconds, in: 1...3_600)
        store.listen = try values.bool("store.listen", default: store.listen)
        store.leaseSeconds = try values.duration("store.lease", default: store.leaseSeconds, in: 5...86_400)
    }
}

extension String {
    /// nil for "", which a config file writes for "the default".
    var nonEmpty: String? { isEmpty ? nil : self }
}
