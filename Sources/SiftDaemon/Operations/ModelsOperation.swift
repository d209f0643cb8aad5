import Foundation
import SiftJSON

/// `models`: the version serving now and the registry's models.
struct ModelsOperation: Operation {
    let name = "models"
    let store: AsyncStore
    let models: ModelProvider

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        do {
            let (records, latestRun) = try await store.read { (try $0.models(), try $0.latestTrainingRun()) }
            let formatter = ISO8601DateFormatter()
            let entries: [JSONValue] = records.map { record in
                let metrics = record.metricsJSON.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null
                return .object([
                    ("version", .string(record.version)),
                    ("status", .string(record.status.rawValue)),
                    ("created_at", .string(formatter.string(from: record.createdAt))),
                    ("path", .string(record.path)),
                    ("training_run_id", record.trainingRunID.map(JSONValue.int) ?? .null),
                    ("pruned", .bool(record.prunedAt != nil)),
                    ("metrics", metrics),
                ])
            }
            let active = records.first { $0.status == .active }?.version
            let training: JSONValue = latestRun.map { run in
                .object([
                    ("id", .int(run.id)), ("status", .string(run.status.rawValue)),
                    ("trigger", run.trigger.map(JSONValue.string) ?? .null),
                    ("started_at", .string(formatter.string(from: run.startedAt))),
                    ("finished_at", run.finishedAt.map { .string(formatter.string(from: $0)) } ?? .null),
                    ("progress", run.progress.map(JSONValue.string) ?? .null),
                    ("error", run.error.map(JSONValue.string) ?? .null),
                ])
            } ?? .null
            return [
                ("serving", .string(models.current.version)),
                ("active", active.map(JSONValue.string) ?? .null),
                ("models", .array(entries)),
                ("training", training),
            ]
        } catch {
            throw .internalError(error)
        }
    }
}
