import Foundation
import PostgresNIO
import SpamStore

/// The model registry, as ``Store``'s methods of the same names document, with each model's
/// files held in the store (see PostgresStore+ModelFiles.swift). Every write that changes
/// a model's status takes ``registryLock`` first: two nodes promoting or rolling back at once
/// apply one after the other, and the second sees the first's active model.
extension PostgresStore {
    /// Any fixed number, distinct from the other advisory locks (PostgresSchema, PostgresStore).
    static let registryLock: Int64 = 0x5_1F7_0004

    /// Registers a newly trained model as a candidate, with every file directly in `path`
    /// (read before the transaction, inserted in it).
    @discardableResult
    public func registerCandidateModel(
        version: String, path: String, baseModelSHA256: String, metricsJSON: String? = nil,
        trainingRunID: TrainingRunID? = nil, at time: Date = Date()
    ) throws -> ModelRecord {
        try Store.validateModelVersion(version)
        let files = try Self.readModelFiles(in: path)
        let record = ModelRecord(
            version: version, path: path, createdAt: time, baseModelSHA256: baseModelSHA256,
            status: .candidate, metricsJSON: metricsJSON, trainingRunID: trainingRunID, prunedAt: nil)
        try connections.transaction { connection in
            try lockRegistry(connection)
            guard try !modelExists(version, connection) else { throw StoreError.duplicateModel(version: version) }
            if let id = trainingRunID, try !trainingRunExists(id, connection) {
                throw StoreError.unknownTrainingRun(id)
            }
            try requireValidJSON(metricsJSON, connection)
            try insert(record, connection)
            try insert(files, version: version, connection)
        }
        return record
    }

    /// The end of a successful run, in one transaction: the run ends succeeded and its model,
    /// with its files, is registered active (retiring the previous one) or rejected. Throws
    /// ``StoreError/trainingRunNotRunning(_:status:)`` (nothing changed) when the run ended already.
    public func completeTrainingRun(
        _ id: TrainingRunID, model: ModelRecord, promote: Bool, dataCounts: TrainingDataCounts?, metricsJSON: String?,
        at time: Date = Date()
    ) throws -> (model: ModelRecord, retired: String?) {
        try Store.validateModelVersion(model.version)
        let files = try Self.readModelFiles(in: model.path)
        return try connections.transaction { connection in
            try lockRegistry(connection)
            _ = try endRun(id, status: .succeeded, dataCounts: dataCounts, metricsJSON: metricsJSON, error: nil, at: time, connection)
            guard try !modelExists(model.version, connection) else { throw StoreError.duplicateModel(version: model.version) }
            try requireValidJSON(model.metricsJSON, connection)
            let retired: String? = try promote ? retireActive(except: nil, connection) : nil
            var record = model
            record.status = promote ? .active : .rejected
            record.trainingRunID = id
            record.createdAt = time
            record.prunedAt = nil
            try insert(record, connection)
            try insert(files, version: record.version, connection)
            return (record, retired)
        }
    }

    /// Makes an earlier model active again (rollback), retiring the current one. Without a
    /// version: the most recently retired model not pruned.
    public func activateModel(_ version: String? = nil) throws -> (model: ModelRecord, retired: String?, previousStatus: ModelStatus) {
        try connections.transaction { connection in
            try lockRegistry(connection)
            let target: ModelRecord
            if let version {
                guard let found = try models("WHERE version = \(version)", connection).first else {
                    throw StoreError.unknownModel(version: version)
                }
                target = found
            } else {
                guard let found = try models("""
                    WHERE status = 'retired' AND pruned_at IS NULL ORDER BY created_at DESC, registered DESC LIMIT 1
                    """, connection).first
                else {
                    throw StoreError.invalidArgument("there is no earlier model to roll back to")
                }
                target = found
            }
            guard target.prunedAt == nil else { throw StoreError.modelPruned(version: target.version) }
            let retired = try retireActive(except: target.version, connection)
            try connections.run("UPDATE models SET status = 'active' WHERE version = \(target.version)", on: connection)
            var active = target
            active.status = .active
            return (active, retired, target.status)
        }
    }

    /// Models whose files may be deleted so that at most `keep` unpruned models besides the
    /// active one remain: the oldest first. Never the active model.
    public func modelsToPrune(keep: Int) throws -> [ModelRecord] {
        try connections.withConnection { connection in
            try models("""
                WHERE status <> 'active' AND pruned_at IS NULL ORDER BY created_at DESC, registered DESC OFFSET \(Int64(max(0, keep)))
                """, connection)
        }
    }

    /// Records that a model is pruned and deletes the files the store holds for it: a pruned
    /// model can never be made active again (``activateModel(_:)`` refuses it), so no node
    /// will load them. The caller still deletes the model's own directory, where one exists.
    public func markPruned(_ version: String, at time: Date = Date()) throws {
        try connections.transaction { connection in
            try lockRegistry(connection)
            guard let record = try models("WHERE version = \(version)", connection).first else {
                throw StoreError.unknownModel(version: version)
            }
            guard record.status != .active else { throw StoreError.invalidArgument("the active model \(version) cannot be pruned") }
            try connections.run(
                "UPDATE models SET pruned_at = \(time.timeIntervalSince1970) WHERE version = \(version)", on: connection)
            try connections.run("DELETE FROM model_files WHERE version = \(version)", on: connection)
        }
    }

    /// Sets a model's status; making one active retires the previous active model in the same
    /// transaction. Returns the version retired that way, if any.
    @discardableResult
    public func setModelStatus(_ version: String, to status: ModelStatus) throws -> String? {
        try connections.transaction { connection in
            try lockRegistry(connection)
            guard try modelExists(version, connection) else { throw StoreError.unknownModel(version: version) }
            let retired: String? = try status == .active ? retireActive(except: version, connection) : nil
            try connections.run("UPDATE models SET status = \(status.rawValue) WHERE version = \(version)", on: connection)
            return retired
        }
    }

    public func activeModel() throws -> ModelRecord? {
        try connections.withConnection { connection in try models("WHERE status = 'active'", connection).first }
    }

    public func model(version: String) throws -> ModelRecord? {
        try connections.withConnection { connection in try models("WHERE version = \(version)", connection).first }
    }

    /// Every registered model, newest first.
    public func models() throws -> [ModelRecord] {
        try connections.withConnection { connection in try models("ORDER BY created_at DESC, registered DESC", connection) }
    }

    // MARK: - In a transaction

    func lockRegistry(_ connection: PostgresConnection) throws {
        try connections.run("SELECT pg_advisory_xact_lock(\(Self.registryLock))", on: connection)
    }

    /// Retires the active model unless it is `version`; returns the version retired.
    private func retireActive(except version: String?, _ connection: PostgresConnection) throws -> String? {
        let rows = try connections.run("""
            UPDATE models SET status = 'retired'
            WHERE status = 'active' AND (\(version)::text IS NULL OR version <> \(version))
            RETURNING version
            """, on: connection)
        return try rows.first?.decode(String.self)
    }

    private func insert(_ record: ModelRecord, _ connection: PostgresConnection) throws {
        try connections.run("""
            INSERT INTO models (version, path, created_at, base_model_sha256, status, metrics, training_run_id, pruned_at)
            VALUES (\(record.version), \(record.path), \(record.createdAt.timeIntervalSince1970), \(record.baseModelSHA256),
                    \(record.status.rawValue), \(record.metricsJSON), \(record.trainingRunID),
                    \(record.prunedAt?.timeIntervalSince1970))
            """, on: connection)
    }

    func modelExists(_ version: String, _ connection: PostgresConnection) throws -> Bool {
        try connections.run("SELECT EXISTS (SELECT 1 FROM models WHERE version = \(version))", on: connection)
            .first!.decode(Bool.self)
    }

    /// The schema rejects bad JSON too; checking first turns a constraint failure into an
    /// error that says what was wrong (as ``Store`` does).
    func requireValidJSON(_ json: String?, _ connection: PostgresConnection) throws {
        guard let json else { return }
        let valid = try connections.run("SELECT sift_json_valid(\(json))", on: connection).first!.decode(Bool.self)
        guard valid else { throw StoreError.invalidArgument("metrics are not valid JSON: \(json.prefix(80))") }
    }

    /// Models matching `condition` (a WHERE and/or ORDER BY clause).
    private func models(_ condition: PostgresQuery, _ connection: PostgresConnection) throws -> [ModelRecord] {
        var query: PostgresQuery = """
            SELECT version, path, created_at, base_model_sha256, status, metrics, training_run_id, pruned_at FROM models
            """
        query.sql += " " + condition.sql
        query.binds = condition.binds
        return try connections.run(query, on: connection).map { row in
            let (version, path, createdAt, baseSHA256, statusName, metrics, runID, prunedAt) = try row.decode(
                (String, String, Double, String, String, String?, Int64?, Double?).self)
            guard let status = ModelStatus(rawValue: statusName) else {
                throw StoreError.databaseError(detail: "model \(version) has an unknown status \(statusName.debugDescription)")
            }
            return ModelRecord(
                version: version, path: path, createdAt: Date(timeIntervalSince1970: createdAt), baseModelSHA256: baseSHA256,
                status: status, metricsJSON: metrics, trainingRunID: runID,
                prunedAt: prunedAt.map(Date.init(timeIntervalSince1970:)))
        }
    }
}
