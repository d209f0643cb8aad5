import SiftJSON

/// `stats`: traffic per day, online accuracy and new labels, from the store.
struct StatsOperation: Operation {
    let name = "stats"
    let store: AsyncStore
    let models: ModelProvider

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let days = try fields.optionalInt("days") ?? 7
        guard (1...366).contains(days) else {
            throw ProtocolError(.invalidValue, "\"days\" must be between 1 and 366, not \(days)", field: "days")
        }
        let model = models.current
        let spamLabel = model.labels.contains("spam") ? "spam" : model.labels.last ?? "spam"
        do {
            let (daily, accuracy, newLabels) = try await store.read { store in
                (try store.dailyStats(days: Int(days), spamLabel: spamLabel), try store.onlineAccuracy(), try store.newLabelCountsSinceLastTraining())
            }
            let dayObjects: [JSONValue] = daily.map { day in
                .object([
                    ("day", .string(day.day)), ("messages", .int(Int64(day.messages))),
                    ("spam", .int(Int64(day.spam))), ("corrections", .int(Int64(day.corrections))),
                ])
            }
            return [
                ("days", .array(dayObjects)),
                ("online_accuracy", .object([
                    ("reviewed", .int(Int64(accuracy.reviewed))), ("wrong", .int(Int64(accuracy.wrong))),
                    ("accuracy", accuracy.accuracy.map(JSONValue.double) ?? .null),
                ])),
                ("new_labels", .object([
                    ("total", .int(Int64(newLabels.total))),
                    ("by_label", .object(newLabels.byLabel.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.int(Int64($0.value))) })),
                ])),
                ("model", .string(model.version)),
            ]
        } catch {
            throw .internalError(error)
        }
    }
}
