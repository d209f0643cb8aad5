import Foundation
import GRDB

public enum TrainingRunStatus: String, Sendable, Codable, CaseIterable {
    case running, succeeded, failed
}

/// How much data a run trained and evaluated on.
public struct TrainingDataCounts: Sendable, Equatable, Codable {
    public var trainingExamples: Int
    public var holdoutExamples: Int

    public init(trainingExamples: Int, holdoutExamples: Int) {
        self.trainingExamples = trainingExamples
        self.holdoutExamples = holdoutExamples
    }
}

public struct TrainingRun: Sendable, Equatable {
    public var id: TrainingRunID
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: TrainingRunStatus
    public var dataCounts: TrainingDataCounts?
    public var metricsJSON: String?
    public var error: String?
    /// Who started it: `schedule`, `request` (the retrain op), `manual` (`siftd train` by hand).
    public var trigger: String?
    /// The process doing the training, while it runs.
    public var pid: Int32?
    /// The trainer's latest progress, e.g. `epoch 2/3`.
    public var progress: String?
    /// The node whose daemon started it, on a store nodes share (nil on a single machine).
    public var node: String? = nil
    /// When its trainer last said it was alive: the run's lease (see ``StoreLease``).
    public var heartbeatAt: Date? = nil

    package init(
        id: TrainingRunID, startedAt: Date, finishedAt: Date?, status: TrainingRunStatus, dataCounts: TrainingDataCounts?,
        metricsJSON: String?, error: String?, trigger: String?, pid: Int32? = nil, progress: String? = nil,
        node: String? = nil, heartbeatAt: Date? = nil
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.dataCounts = dataCounts
        self.metricsJSON = metricsJSON
        self.error = error
        self.trigger = trigger
        self.pid = pid
        self.progress = progress
        self.node = node
        self.heartbeatAt = heartbeatAt
    }
}

extension TrainingRun: FetchableRecord {
    public init(row: Row) throws {
        id = row["id"]
        startedAt = Date(storeSeconds: row["started_at"])
        finishedAt = (row["finished_at"] as Double?).map(Date.init(storeSeconds:))
        let statusName: String = row["status"]
        guard let status = TrainingRunStatus(rawValue: statusName) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown training run status \(statusName)")
        }
        self.status = status
        if let training: Int = row["train_examples"], let holdout: Int = row["holdout_examples"] {
            dataCounts = TrainingDataCounts(trainingExamples: training, holdoutExamples: holdout)
        }
        metricsJSON = row["metrics"]
        error = row["error"]
        trigger = row["trigger"]
        pid = row["pid"]
        progress = row["progress"]
        node = row["node"]
        heartbeatAt = (row["heartbeat_at"] as Double?).map(Date.init(storeSeconds:))
    }
}

extension Store {
    /// Opens a run. Counts may be given now or when it finishes (the child that trains
    /// knows them only after reading the labels). Only one run may be running: with
    /// `exclusive`, starting a second throws ``StoreError/trainingRunInProgress(_:)``, which
    /// is what keeps a scheduled run, a requested one and a hand-started `siftd train` apart,
    /// across processes.
    public func startTrainingRun(
        dataCounts: TrainingDataCounts? = nil, trigger: String? = nil, exclusive: Bool = false, node: String? = nil,
        at time: Date = Date()
    ) throws -> TrainingRun {
        try pool.write { db in
            if exclusive, let running = try TrainingRunID.fetchOne(db, sql: "SELECT id FROM training_runs WHERE status = 'running' LIMIT 1") {
                throw StoreError.trainingRunInProgress(running)
            }
            try db.execute(
                sql: """
                    INSERT INTO training_runs (started_at, status, train_examples, holdout_examples, trigger, node, heartbeat_at)
                    VALUES (?, 'running', ?, ?, ?, ?, ?)
                    """,
                arguments: [time.storeSeconds, dataCounts?.trainingExamples, dataCounts?.holdoutExamples, trigger, node, time.storeSeconds])
            return TrainingRun(
                id: db.lastInsertedRowID, startedAt: time, finishedAt: nil, status: .running,
                dataCounts: dataCounts, metricsJSON: nil, error: nil, trigger: trigger, node: node, heartbeatAt: time)
        }
    }

    /// Records the trainer's pid and latest progress on a running run, and renews its
    /// heartbeat (ignored once it ended).
    public func updateTrainingRun(_ id: TrainingRunID, pid: Int32? = nil, progress: String? = nil, at time: Date = Date()) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE training_runs SET pid = coalesce(?, pid), progress = coalesce(?, progress), heartbeat_at = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [pid, progress, time.storeSeconds, id])
        }
    }

    /// The run marked running, if any.
    public func runningTrainingRun() throws -> TrainingRun? {
        try pool.read { db in
            try TrainingRun.fetchOne(db, sql: "SELECT * FROM training_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1")
        }
    }

    /// Marks a running run succeeded. Counts given here replace those given at the start.
    @discardableResult
    public func finishTrainingRun(
        _ id: TrainingRunID, dataCounts: TrainingDataCounts? = nil, metricsJSON: String? = nil, at time: Date = Date()
    ) throws -> TrainingRun {
        try end(id, status: .succeeded, dataCounts: dataCounts, metricsJSON: metricsJSON, error: nil, at: time)
    }

    /// Marks a running run failed, with the reason.
    @discardableResult
    public func failTrainingRun(
        _ id: TrainingRunID, error: String, dataCounts: TrainingDataCounts? = nil, at time: Date = Date()
    ) throws -> TrainingRun {
        try end(id, status: .failed, dataCounts: dataCounts, metricsJSON: nil, error: error, at: time)
    }

    /// Fails every run still marked running: at daemon start none can be, so those are
    /// runs whose process died. Returns how many.
    @discardableResult
    public func failInterruptedTrainingRuns(reason: String = "interrupted: the process ended before the run did", at time: Date = Date()) throws -> Int {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE training_runs SET status = 'failed', finished_at = ?, error = ? WHERE status = 'running'",
                arguments: [time.storeSeconds, reason])
            return db.changesCount
        }
    }

    public func trainingRun(_ id: TrainingRunID) throws -> TrainingRun? {
        try pool.read { db in try TrainingRun.fetchOne(db, sql: "SELECT * FROM training_runs WHERE id = ?", arguments: [id]) }
    }

    /// Runs, newest first.
    public func trainingRuns(limit: Int = 100) throws -> [TrainingRun] {
        try pool.read { db in
            try TrainingRun.fetchAll(db, sql: "SELECT * FROM training_runs ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
    }

    /// The most recently started run, whatever its status.
    public func latestTrainingRun() throws -> TrainingRun? {
        try trainingRuns(limit: 1).first
    }

    /// The most recently started run that succeeded.
    public func latestSucceededTrainingRun() throws -> TrainingRun? {
        try pool.read { db in
            try TrainingRun.fetchOne(db, sql: "SELECT * FROM training_runs WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1")
        }
    }

    private func end(
        _ id: TrainingRunID, status: TrainingRunStatus, dataCounts: TrainingDataCounts?, metricsJSON: String?,
        error: String?, at time: Date
    ) throws -> TrainingRun {
        try pool.write { db in
            try Self.endRun(id, status: status, dataCounts: dataCounts, metricsJSON: metricsJSON, error: error, at: time, db)
        }
    }

    /// Ends a running run inside the caller's transaction.
    static func endRun(
        _ id: TrainingRunID, status: TrainingRunStatus, dataCounts: TrainingDataCounts?, metricsJSON: String?,
        error: String?, at time: Date, _ db: Database
    ) throws -> TrainingRun {
        guard let run = try TrainingRun.fetchOne(db, sql: "SELECT * FROM training_runs WHERE id = ?", arguments: [id]) else {
            throw StoreError.unknownTrainingRun(id)
        }
        guard run.status == .running else { throw StoreError.trainingRunNotRunning(id, status: run.status) }
        try requireValidJSON(metricsJSON, db)
        let counts = dataCounts ?? run.dataCounts
        try db.execute(
            sql: """
                UPDATE training_runs SET status = ?, finished_at = ?, train_examples = ?, holdout_examples = ?,
                    metrics = ?, error = ? WHERE id = ?
                """,
            arguments: [
                status.rawValue, time.storeSeconds, counts?.trainingExamples, counts?.holdoutExamples,
                metricsJSON, error, id,
            ])
        return TrainingRun(
            id: id, startedAt: run.startedAt, finishedAt: time, status: status, dataCounts: counts,
            metricsJSON: metricsJSON, error: error, trigger: run.trigger, pid: run.pid, progress: run.progress,
            node: run.node, heartbeatAt: run.heartbeatAt)
    }

    static func trainingRunExists(_ id: TrainingRunID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM training_runs WHERE id = ?)", arguments: [id]) ?? false
    }
}
