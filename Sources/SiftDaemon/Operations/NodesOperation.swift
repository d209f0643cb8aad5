import Foundation
import SiftJSON

/// `nodes`: every siftd that reports to this store, what it serves and when it was last seen.
struct NodesOperation: Operation {
    let name = "nodes"
    let store: AsyncStore
    let models: ModelProvider
    let config: @Sendable () -> DaemonConfig

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        do {
            let (nodes, active) = try await store.read { (try $0.nodes(), try $0.activeModel()?.version) }
            let formatter = ISO8601DateFormatter()
            let now = Date()
            let entries: [JSONValue] = nodes.map { node in
                .object([
                    ("name", .string(node.name)), ("host", .string(node.host)), ("pid", .int(Int64(node.pid))),
                    ("serving", .string(node.servingVersion)), ("precision", .string(node.precision)),
                    ("started_at", .string(formatter.string(from: node.startedAt))),
                    ("seen_at", .string(formatter.string(from: node.seenAt))),
                    ("seen_seconds_ago", .double((now.timeIntervalSince(node.seenAt) * 10).rounded() / 10)),
                ])
            }
            let config = config()
            return [
                ("node", .string(config.store.node)),
                ("shared", .bool(config.store.isShared)),
                ("serving", .string(models.current.version)),
                ("active", active.map(JSONValue.string) ?? .null),
                ("nodes", .array(entries)),
            ]
        } catch {
            throw .fromStore(error)
        }
    }
}
