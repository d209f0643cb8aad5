import Foundation
import PostgresNIO
import SpamStore

/// What each node sharing the store last reported about itself (`sift nodes`).
extension PostgresStore {
    /// Creates or replaces the node's row.
    public func recordNodeHeartbeat(_ node: NodeStatus) throws {
        try connections.withConnection { connection -> Void in
            try connections.run("""
                INSERT INTO nodes (name, host, pid, serving_version, precision, started_at, seen_at)
                VALUES (\(node.name), \(node.host), \(Int64(node.pid)), \(node.servingVersion), \(node.precision),
                        \(node.startedAt.timeIntervalSince1970), \(node.seenAt.timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET
                    host = excluded.host, pid = excluded.pid, serving_version = excluded.serving_version,
                    precision = excluded.precision, started_at = excluded.started_at, seen_at = excluded.seen_at
                """, on: connection)
        }
    }

    /// Every node that ever reported, most recently seen first (ties by name).
    public func nodes() throws -> [NodeStatus] {
        try connections.withConnection { connection in
            try connections.run("""
                SELECT name, host, pid, serving_version, precision, started_at, seen_at FROM nodes ORDER BY seen_at DESC, name COLLATE "C"
                """, on: connection).map { row in
                let (name, host, pid, servingVersion, precision, startedAt, seenAt) = try row.decode(
                    (String, String, Int64, String, String, Double, Double).self)
                return NodeStatus(
                    name: name, host: host, pid: try Self.int32(pid, "node \(name)'s pid"), servingVersion: servingVersion,
                    precision: precision, startedAt: Date(timeIntervalSince1970: startedAt), seenAt: Date(timeIntervalSince1970: seenAt))
            }
        }
    }
}
