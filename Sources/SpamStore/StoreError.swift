/// What can go wrong with the store, in words an operator can act on.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The file is not a SQLite database, or `PRAGMA quick_check` found damage.
    case corrupt(path: String, detail: String)
    /// The database was migrated by a newer sift than this one; opening it could lose data.
    case schemaTooNew(path: String, unknownMigrations: [String])
    /// A label name that cannot be stored (empty, padded with spaces, too long, control characters).
    case invalidLabel(String, reason: String)
    /// A prediction with a probability outside 0...1, a negative latency or an empty model version.
    case invalidPrediction(reason: String)
    /// A model version that cannot be a directory name, or other argument out of range.
    case invalidArgument(String)
    case unknownMessage(MessageID)
    case unknownModel(version: String)
    case duplicateModel(version: String)
    case unknownTrainingRun(TrainingRunID)
    /// finish/fail on a run that already ended.
    case trainingRunNotRunning(TrainingRunID, status: TrainingRunStatus)
    /// A run was asked to start while another is still marked running.
    case trainingRunInProgress(TrainingRunID)
    /// The model's files were pruned: it is a record, not something that can serve again.
    case modelPruned(version: String)
    /// A store URL that cannot be used (`postgresql://…` with a missing part or a bad port).
    case invalidStoreURL(String, reason: String)
    /// The database server cannot be reached, or the connection broke during the call: nothing
    /// this call wrote is acknowledged. Worth retrying once the server is back.
    case storeUnavailable(detail: String)
    /// The database server refused a statement (a constraint, a permission); not worth retrying.
    case databaseError(detail: String)

    public var description: String {
        switch self {
        case let .corrupt(path, detail):
            return "the database at \(path) is corrupt (\(detail)); restore it from a backup or move it aside to start a new one"
        case let .schemaTooNew(path, unknown):
            return "the database at \(path) was written by a newer sift (unknown migrations: \(unknown.joined(separator: ", "))); upgrade sift or restore an older backup"
        case let .invalidLabel(label, reason):
            return "invalid label \(label.debugDescription): \(reason)"
        case let .invalidPrediction(reason):
            return "invalid prediction: \(reason)"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason)"
        case let .unknownMessage(id):
            return "no message with id \(id)"
        case let .unknownModel(version):
            return "no model with version \(version.debugDescription)"
        case let .duplicateModel(version):
            return "a model with version \(version.debugDescription) is already registered"
        case let .unknownTrainingRun(id):
            return "no training run with id \(id)"
        case let .trainingRunNotRunning(id, status):
            return "training run \(id) is not running (it \(status.rawValue))"
        case let .trainingRunInProgress(id):
            return "training run \(id) is still running; one run at a time"
        case let .modelPruned(version):
            return "model \(version.debugDescription) was pruned (its files are deleted); it cannot be made active"
        case let .invalidStoreURL(url, reason):
            return "invalid store URL \(url.debugDescription): \(reason)"
        case let .storeUnavailable(detail):
            return "the store is unavailable (\(detail)); nothing was acknowledged"
        case let .databaseError(detail):
            return "the database refused the request: \(detail)"
        }
    }
}
