import Foundation
import GRDB

/// Where a model is in its life: trained (candidate), then promoted (active) or
/// rejected by the gate; an active model is retired when another is promoted.
public enum ModelStatus: String, Sendable, Codable, CaseIterable {
    case candidate, active, rejected, retired
}

/// A model in the registry.
public struct ModelRecord: Sendable, Equatable {
    /// Also the name of its directory under `models/`.
    public var version: String
    public var path: String
    public var createdAt: Date
    /// SHA-256 (hex) of the base model the classifier was trained on top of.
    public var baseModelSHA256: String
    public var status: ModelStatus
    /// Evaluation figures as a JSON object, as the trainer wrote them.
    public var metricsJSON: String?
    public var trainingRunID: TrainingRunID?
    /// When its files were deleted to keep the registry small; it can no longer serve.
    public var prunedAt: Date?

    public init(
        version: String, path: String, createdAt: Date = Date(), baseModelSHA256: String, status: ModelStatus = .candidate,
        metricsJSON: String? = nil, trainingRunID: TrainingRunID? = nil, prunedAt: Date? = nil
    ) {
        self.version = version
        self.path = path
        self.createdAt = createdAt
        self.baseModelSHA256 = baseModelSHA256
        self.status = status
        self.metricsJSON = metricsJSON
        self.trainingRunID = trainingRunID
        self.prunedAt = prunedAt
    }
}

extension ModelRecord: FetchableRecord {
    public init(row: Row) throws {
        version = row["version"]
        path = row["path"]
        createdAt = Date(storeSeconds: row["created_at"])
        baseModelSHA256 = row["base_model_sha256"]
        let statusName: String = row["status"]
        guard let status = ModelStatus(rawValue: statusName) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown model status \(statusName)")
        }
        self.status = status
        metricsJSON = row["metrics"]
        trainingRunID = row["training_run_id"]
        prunedAt = (row["pruned_at"] as Double?).map(Date.init(storeSeconds:))
    }
}

extension Store {
    /// Registers a newly trained model as a candidate.
    @discardableResult
    public func registerCandidateModel(
        version: String, path: String, baseModelSHA256: String, metricsJSON: String? = nil,
        trainingRunID: TrainingRunID? = nil, at time: Date = Date()
    ) throws -> ModelRecord {
        try Self.validateModelVersion(version)
        let record = ModelRecord(
            version: version, path: path, createdAt: time, baseModelSHA256: baseModelSHA256,
            status: .candidate, metricsJSON: metricsJSON, trainingRunID: trainingRunID, prunedAt: nil)
        try pool.write { db in
            guard try !Self.modelExists(version, db) else { throw StoreError.duplicateModel(version: version) }
            if let id = trainingRunID, try !Self.trainingRunExists(id, db) {
                throw StoreError.unknownTrainingRun(id)
            }
            try Self.requireValidJSON(metricsJSON, db)
            try db.execute(
                sql: """
                    INSERT INTO models (version, path, created_at, base_model_sha256, status, metrics, training_run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [version, path, time.storeSeconds, baseModelSHA256, ModelStatus.candidate.rawValue, metricsJSON, trainingRunID])
        }
        return record
    }

    /// The end of a successful training run, in one transaction: the run is marked succeeded
    /// and its model registered as active (retiring the previous one) or rejected. If the run
    /// is no longer running (a restarted daemon failed it), nothing changes and this throws
    /// ``StoreError/trainingRunNotRunning(_:status:)``: a trainer that outlived its daemon
    /// cannot promote. Returns the model and the version it retired, if any.
    public func completeTrainingRun(
        _ id: TrainingRunID, model: ModelRecord, promote: Bool, dataCounts: TrainingDataCounts?, metricsJSON: String?,
        at time: Date = Date()
    ) throws -> (model: ModelRecord, retired: String?) {
        try Self.validateModelVersion(model.version)
        return try pool.write { db in
            _ = try Self.endRun(id, status: .succeeded, dataCounts: dataCounts, metricsJSON: metricsJSON, error: nil, at: time, db)
            guard try !Self.modelExists(model.version, db) else { throw StoreError.duplicateModel(version: model.version) }
            try Self.requireValidJSON(model.metricsJSON, db)
            var retired: String?
            if promote {
                retired = try String.fetchOne(db, sql: "SELECT version FROM models WHERE status = 'active'")
                try db.execute(sql: "UPDATE models SET status = 'retired' WHERE status = 'active'")
            }
            var record = model
            record.status = promote ? .active : .rejected
            record.trainingRunID = id
            record.createdAt = time
            try db.execute(
                sql: """
                    INSERT INTO models (version, path, created_at, base_model_sha256, status, metrics, training_run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [record.version, record.path, time.storeSeconds, record.baseModelSHA256, record.status.rawValue,
                            record.metricsJSON, id])
            return (record, retired)
        }
    }

    /// Makes an earlier model active again (rollback), retiring the current one. Without a
    /// version: the most recently retired model that still has its files. Returns the model
    /// made active, the version retired, and the status the model had (to undo it).
    public func activateModel(_ version: String? = nil) throws -> (model: ModelRecord, retired: String?, previousStatus: ModelStatus) {
        try pool.write { db in
            let target: ModelRecord
            if let version {
                guard let found = try ModelRecord.fetchOne(db, sql: "SELECT * FROM models WHERE version = ?", arguments: [version]) else {
                    throw StoreError.unknownModel(version: version)
                }
                target = found
            } else {
                guard let found = try ModelRecord.fetchOne(db, sql: """
                    SELECT * FROM models WHERE status = 'retired' AND pruned_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1
                    """)
                else {
                    throw StoreError.invalidArgument("there is no earlier model to roll back to")
                }
                target = found
            }
            guard target.prunedAt == nil else { throw StoreError.modelPruned(version: target.version) }
            let retired = try String.fetchOne(
                db, sql: "SELECT version FROM models WHERE status = 'active' AND version != ?", arguments: [target.version])
            try db.execute(sql: "UPDATE models SET status = 'retired' WHERE status = 'active' AND version != ?", arguments: [target.version])
            try db.execute(sql: "UPDATE models SET status = 'active' WHERE version = ?", arguments: [target.version])
            var active = target
            active.status = .active
            return (active, retired, target.status)
        }
    }

    /// Models whose files may be deleted so that at most `keep` unpruned models besides the
    /// active one remain: the oldest first. Never the active model.
    public func modelsToPrune(keep: Int) throws -> [ModelRecord] {
        try pool.read { db in
            try ModelRecord.fetchAll(db, sql: """
                SELECT * FROM models WHERE status != 'active' AND pruned_at IS NULL
                ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?
                """, arguments: [max(0, keep)])
        }
    }

    /// Records that a model's files are to be deleted; call before deleting them, so that a
    /// model made active meanwhile is refused here instead of losing its files.
    public func markPruned(_ version: String, at time: Date = Date()) throws {
        try pool.write { db in
            guard let record = try ModelRecord.fetchOne(db, sql: "SELECT * FROM models WHERE version = ?", arguments: [version]) else {
                throw StoreError.unknownModel(version: version)
            }
            guard record.status != .active else { throw StoreError.invalidArgument("the active model \(version) cannot be pruned") }
            try db.execute(sql: "UPDATE models SET pruned_at = ? WHERE version = ?", arguments: [time.storeSeconds, version])
        }
    }

    /// Sets a model's status. Making one active retires the previous active model in the
    /// same transaction, so there is never a moment with two (or, mid-swap, none). Returns
    /// the version that was retired that way, if any.
    @discardableResult
    public func setModelStatus(_ version: String, to status: ModelStatus) throws -> String? {
        try pool.write { db in
            guard try Self.modelExists(version, db) else { throw StoreError.unknownModel(version: version) }
            var retired: String?
            if status == .active {
                retired = try String.fetchOne(
                    db, sql: "SELECT version FROM models WHERE status = 'active' AND version != ?", arguments: [version])
                try db.execute(
                    sql: "UPDATE models SET status = 'retired' WHERE status = 'active' AND version != ?", arguments: [version])
            }
            try db.execute(sql: "UPDATE models SET status = ? WHERE version = ?", arguments: [status.rawValue, version])
            return retired
        }
    }

    /// The model that serves classification, if one has been promoted.
    public func activeModel() throws -> ModelRecord? {
        try pool.read { db in try ModelRecord.fetchOne(db, sql: "SELECT * FROM models WHERE status = 'active'") }
    }

    public func model(version: String) throws -> ModelRecord? {
        try pool.read { db in try ModelRecord.fetchOne(db, sql: "SELECT * FROM models WHERE version = ?", arguments: [version]) }
    }

    /// Every registered model, newest first.
    public func models() throws -> [ModelRecord] {
        try pool.read { db in try ModelRecord.fetchAll(db, sql: "SELECT * FROM models ORDER BY created_at DESC, rowid DESC") }
    }

    /// Versions name directories, so they are restricted to what is safe in a path.
    package static func validateModelVersion(_ version: String) throws {
        let allowed = version.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard !version.isEmpty, version.utf8.count <= 64, allowed, version != ".", version != ".." else {
            throw StoreError.invalidArgument("model version \(version.debugDescription) must be 1-64 of [A-Za-z0-9._-] and not . or ..")
        }
    }

    private static func modelExists(_ version: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM models WHERE version = ?)", arguments: [version]) ?? false
    }

    /// The schema rejects bad JSON too; checking first turns a constraint failure into an
    /// error that says what was wrong.
    static func requireValidJSON(_ json: String?, _ db: Database) throws {
        guard let json else { return }
        guard try Bool.fetchOne(db, sql: "SELECT json_valid(?)", arguments: [json]) == true else {
            throw StoreError.invalidArgument("metrics are not valid JSON: \(json.prefix(80))")
        }
    }
}
