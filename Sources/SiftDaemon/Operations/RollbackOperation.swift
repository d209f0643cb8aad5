import SpamStore

/// `rollback`: makes an earlier model active again and serves it; without `version`, the one
/// active before the current. If the model does not load, the previous one stays active.
struct RollbackOperation: Operation {
    let name = "rollback"
    let changesState = true

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let version = try fields.optionalString("version")
        let daemon = context.daemon
        let store = daemon.store
        let result: (model: ModelRecord, retired: String?)
        do {
            result = try await BlockingWork.run { try store.activateModel(version) }
        } catch let error as StoreError {
            switch error {
            case .unknownModel, .modelPruned, .invalidArgument:
                throw ProtocolError(.unknownModel, "\(error)", field: version == nil ? nil : "version")
            default:
                throw .internalError(error)
            }
        } catch {
            throw .internalError(error)
        }
        guard await daemon.retraining.swapInActiveModel(daemon.config) || daemon.models.current.version == result.model.version else {
            // Put back what served, so the registry and the daemon agree.
            if let retired = result.retired { _ = try? store.activateModel(retired) }
            throw ProtocolError(.internalError, "model \(result.model.version) does not load; \(result.retired ?? "the previous model") stays active")
        }
        daemon.logger.info("rollback", metadata: [
            "model": "\(result.model.version)", "retired": "\(result.retired ?? "-")", "peer_uid": "\(context.peer.uid)",
        ])
        return [
            ("ok", .bool(true)), ("active", .string(result.model.version)),
            ("retired", result.retired.map(JSONValue.string) ?? .null), ("serving", .string(daemon.models.current.version)),
        ]
    }
}
