import Logging
import SiftJSON
import SpamStore

/// `rollback`: makes an earlier model active again and serves it; without `version`, the one
/// active before the current. Refused while a training run is under way (its candidate is gated
/// against the model active when it started). If the model does not load, the registry is put
/// back as it was.
struct RollbackOperation: Operation {
    let name = "rollback"
    let changesState = true
    let store: AsyncStore
    let retraining: RetrainCoordinator
    let config: @Sendable () -> DaemonConfig
    let models: ModelProvider
    let logger: Logger

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        let version = try fields.optionalString("version")
        let result: (model: ModelRecord, retired: String?, previousStatus: ModelStatus)
        do {
            if let running = try await store.read({ try $0.runningTrainingRun() }) {
                throw ProtocolError(.retrainRunning, "training run \(running.id) is under way; roll back once it has ended")
            }
            result = try await store.write { try $0.activateModel(version) }
        } catch let error as ProtocolError {
            throw error
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
        if case let .failed(why) = await retraining.swapInActiveModel(config()) {
            // Put back what served, so the registry and the daemon agree.
            let undone: Bool
            do {
                try await store.write { store in
                    if let retired = result.retired {
                        _ = try store.activateModel(retired)
                    } else {
                        try store.setModelStatus(result.model.version, to: result.previousStatus)
                    }
                }
                undone = true
            } catch {
                undone = false
            }
            throw ProtocolError(.internalError, "model \(result.model.version) does not load (\(why)); "
                + (undone ? "\(result.retired ?? "the model that served") stays active" : "and the registry could not be put back"))
        }
        logger.info("rollback", metadata: [
            "model": "\(result.model.version)", "retired": "\(result.retired ?? "-")", "peer_uid": "\(context.peer.uid)",
        ])
        return [
            ("ok", .bool(true)), ("active", .string(result.model.version)),
            ("retired", result.retired.map(JSONValue.string) ?? .null), ("serving", .string(models.current.version)),
        ]
    }
}
