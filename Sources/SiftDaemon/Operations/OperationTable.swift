/// The operations the daemon answers, by name; a name not here is `unknown_op`.
public struct OperationTable: Sendable {
    private var operations: [String: any Operation] = [:]

    public init(_ operations: [any Operation] = []) {
        for operation in operations { self.operations[operation.name] = operation }
    }

    /// The operations of docs/protocol.md.
    public static let standard = OperationTable([
        ClassifyOperation(), CorrectOperation(), LabelOperation(), ForgetOperation(),
        StatsOperation(), HealthOperation(), ModelsOperation(), MetricsOperation(),
        RetrainOperation(), RollbackOperation(),
    ])

    public func registering(_ operation: any Operation) -> OperationTable {
        var table = self
        table.operations[operation.name] = operation
        return table
    }

    public subscript(name: String) -> (any Operation)? { operations[name] }

    public var names: [String] { operations.keys.sorted() }
}
