import Foundation
import GRDB

extension NodeStatus: FetchableRecord {
    public init(row: Row) throws {
        name = row["name"]
        host = row["host"]
        pid = row["pid"]
        servingVersion = row["serving_version"]
        precision = row["precision"]
        startedAt = Date(storeSeconds: row["started_at"])
        seenAt = Date(storeSeconds: row["seen_at"])
    }
}

extension Store: NodeRegistry {
    public func recordNodeHeartbeat(_ node: NodeStatus) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO nodes (name, host, pid, serving_version, precision, started_at, seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [node.name, node.host, node.pid, node.servingVersion, node.precision,
                            node.startedAt.storeSeconds, node.seenAt.storeSeconds])
        }
    }

    public func nodes() throws -> [NodeStatus] {
        try pool.read { db in try NodeStatus.fetchAll(db, sql: "SELECT * FROM nodes ORDER BY seen_at DESC, name") }
    }
}
