import Foundation

/// `models`: the version serving now and the registry's models.
struct ModelsOperation: Operation {
    let name = "models"

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let store = context.daemon.store
        do {
            let records = try await BlockingWork.run { try store.models() }
            let formatter = ISO8601DateFormatter()
            let models: [JSONValue] = records.map { record in
                let metrics = record.metricsJSON.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null
                return .object([
                    ("version", .string(record.version)),
                    ("status", .string(record.status.rawValue)),
                    ("created_at", .string(formatter.string(from: record.createdAt))),
                    ("path", .string(record.path)),
                    ("training_run_id", record.trainingRunID.map(JSONValue.int) ?? .null),
                    ("metrics", metrics),
                ])
            }
            let active = records.first { $0.status == .active }?.version
            return [
                ("serving", .string(context.daemon.models.current.version)),
                ("active", active.map(JSONValue.string) ?? .null),
                ("models", .array(models)),
            ]
        } catch {
            throw .internalError(error)
        }
    }
}
