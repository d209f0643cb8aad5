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
            status: .candidate, metricsJSON: metricsJSON, trainingRunID: trainingRunID)
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
    static func validateModelVersion(_ version: String) throws {
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
