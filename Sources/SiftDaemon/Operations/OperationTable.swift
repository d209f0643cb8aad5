/// The operations the daemon answers, by name; a name not here is `unknown_op`.
public struct OperationTable: Sendable {
    private var operations: [String: any Operation] = [:]

    public init(_ operations: [any Operation] = []) {
        for operation in operations { self.operations[operation.name] = operation }
    }

    /// The operations of docs/protocol.md, each given the parts of the daemon it uses.
    static func standard(_ daemon: DaemonContext) -> OperationTable {
        let store = AsyncStore(daemon.store)
        let config: @Sendable () -> DaemonConfig = { daemon.config }
        return OperationTable([
            ClassifyOperation(batcher: daemon.batcher),
            CorrectOperation(store: store, journal: daemon.journal, models: daemon.models, logger: daemon.logger),
            LabelOperation(store: store, models: daemon.models, logger: daemon.logger),
            ForgetOperation(store: store, journal: daemon.journal, logger: daemon.logger),
            StatsOperation(store: store, models: daemon.models),
            HealthOperation(daemon: daemon),
            ModelsOperation(store: store, models: daemon.models),
            NodesOperation(store: store, models: daemon.models, config: config),
            MetricsOperation(metrics: daemon.metrics),
            RetrainOperation(retraining: daemon.retraining, config: config, models: daemon.models, logger: daemon.logger),
            RollbackOperation(store: store, retraining: daemon.retraining, config: config, models: daemon.models, logger: daemon.logger),
        ])
    }

    public func registering(_ operation: any Operation) -> OperationTable {
        var table = self
        table.operations[operation.name] = operation
        return table
    }

    public subscript(name: String) -> (any Operation)? { operations[name] }

    public var names: [String] { operations.keys.sorted() }
}
