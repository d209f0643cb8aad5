import Foundation
import PostgresNIO
import SpamStore

/// Training runs, as ``Store``'s methods of the same names document; at most one runs across
/// every node sharing the store when each start asks for `exclusive`.
extension PostgresStore {
    /// Any fixed number, distinct from the other advisory locks: exclusive starts take it.
    static let trainingRunLock: Int64 = 0x5_1F7_0003

    /// Opens a run on `node`; its heartbeat starts at `time`. With `exclusive`, throws
    /// ``StoreError/trainingRunInProgress(_:)`` while any run is marked running.
    public func startTrainingRun(
        dataCounts: TrainingDataCounts? = nil, trigger: String? = nil, exclusive: Bool = false, node: String? = nil,
        at time: Date = Date()
    ) throws -> TrainingRun {
        let seconds = time.timeIntervalSince1970
        return try connections.transaction { connection in
            if exclusive {
                // Two nodes starting at once take the lock one after the other; the second's
                // SELECT (a new snapshot) then sees the run the first committed.
                try connections.run("SELECT pg_advisory_xact_lock(\(Self.trainingRunLock))", on: connection)
                let running = try connections.run(
                    "SELECT id FROM training_runs WHERE status = 'running' ORDER BY id LIMIT 1", on: connection)
                if let row = running.first { throw StoreError.trainingRunInProgress(try row.decode(Int64.self)) }
            }
            let id = try connections.run("""
                INSERT INTO training_runs (started_at, status, train_examples, holdout_examples, trigger, node, heartbeat_at)
                VALUES (\(seconds), 'running', \(dataCounts.map { Int64($0.trainingExamples) }),
                        \(dataCounts.map { Int64($0.holdoutExamples) }), \(trigger), \(node), \(seconds))
                RETURNING id
                """, on: connection).first!.decode(Int64.self)
            return TrainingRun(
                id: id, startedAt: time, finishedAt: nil, status: .running, dataCounts: dataCounts, metricsJSON: nil,
                error: nil, trigger: trigger, node: node, heartbeatAt: time)
        }
    }

    /// Records the trainer's pid and latest progress on a running run and renews its
    /// heartbeat (ignored once the run ended).
    public func updateTrainingRun(_ id: TrainingRunID, pid: Int32? = nil, progress: String? = nil, at time: Date = Date()) throws {
        try connections.withConnection { connection -> Void in
            try connections.run("""
                UPDATE training_runs
                SET pid = coalesce(\(pid.map(Int64.init))::int8, pid), progress = coalesce(\(progress)::text, progress),
                    heartbeat_at = \(time.timeIntervalSince1970)
                WHERE id = \(id) AND status = 'running'
                """, on: connection)
        }
    }

    /// The run marked running, if any (the newest, should there be several).
    public func runningTrainingRun() throws -> TrainingRun? {
        try connections.withConnection { connection in
            try trainingRuns("WHERE status = 'running' ORDER BY id DESC LIMIT 1", connection).first
        }
    }

    /// Marks a running run failed, with the reason.
    @discardableResult
    public func failTrainingRun(
        _ id: TrainingRunID, error: String, dataCounts: TrainingDataCounts? = nil, at time: Date = Date()
    ) throws -> TrainingRun {
        try connections.transaction { connection in
            try endRun(id, status: .failed, dataCounts: dataCounts, metricsJSON: nil, error: error, at: time, connection)
        }
    }

    public func trainingRun(_ id: TrainingRunID) throws -> TrainingRun? {
        try connections.withConnection { connection in try trainingRuns("WHERE id = \(id)", connection).first }
    }

    /// Runs, newest first; a negative `limit` means all (as SQLite's LIMIT does).
    public func trainingRuns(limit: Int = 100) throws -> [TrainingRun] {
        let limit: Int64? = limit < 0 ? nil : Int64(limit)
        return try connections.withConnection { connection in
            try trainingRuns("ORDER BY id DESC LIMIT \(limit)", connection)
        }
    }

    /// The most recently started run that succeeded.
    public func latestSucceededTrainingRun() throws -> TrainingRun? {
        try connections.withConnection { connection in
            try trainingRuns("WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1", connection).first
        }
    }

    // MARK: - In a transaction

    /// Ends a running run inside the caller's transaction, its row locked so that a fail and a
    /// completion racing from two nodes apply one after the other (the second then throws).
    func endRun(
        _ id: TrainingRunID, status: TrainingRunStatus, dataCounts: TrainingDataCounts?, metricsJSON: String?,
        error: String?, at time: Date, _ connection: PostgresConnection
    ) throws -> TrainingRun {
        guard let run = try trainingRuns("WHERE id = \(id) FOR UPDATE", connection).first else {
            throw StoreError.unknownTrainingRun(id)
        }
        guard run.status == .running else { throw StoreError.trainingRunNotRunning(id, status: run.status) }
        try requireValidJSON(metricsJSON, connection)
        let counts = dataCounts ?? run.dataCounts
        try connections.run("""
            UPDATE training_runs SET status = \(status.rawValue), finished_at = \(time.timeIntervalSince1970),
                train_examples = \(counts.map { Int64($0.trainingExamples) }),
                holdout_examples = \(counts.map { Int64($0.holdoutExamples) }), metrics = \(metricsJSON), error = \(error)
            WHERE id = \(id)
            """, on: connection)
        var ended = run
        ended.finishedAt = time
        ended.status = status
        ended.dataCounts = counts
        ended.metricsJSON = metricsJSON
        ended.error = error
        return ended
    }

    func trainingRunExists(_ id: TrainingRunID, _ connection: PostgresConnection) throws -> Bool {
        try connections.run("SELECT EXISTS (SELECT 1 FROM training_runs WHERE id = \(id))", on: connection)
            .first!.decode(Bool.self)
    }

    /// Runs matching `condition` (WHERE, ORDER BY, LIMIT, FOR UPDATE clauses).
    private func trainingRuns(_ condition: PostgresQuery, _ connection: PostgresConnection) throws -> [TrainingRun] {
        var query: PostgresQuery = """
            SELECT id, started_at, finished_at, status, train_examples, holdout_examples, metrics, error,
                   trigger, pid, progress, node, heartbeat_at
            FROM training_runs
            """
        query.sql += " " + condition.sql
        query.binds = condition.binds
        return try connections.run(query, on: connection).map { row in
            let (id, startedAt, finishedAt, statusName, train, holdout, metrics, error, trigger, pid, progress, node, heartbeatAt) =
                try row.decode(
                    (Int64, Double, Double?, String, Int64?, Int64?, String?, String?, String?, Int64?, String?, String?, Double?).self)
            guard let status = TrainingRunStatus(rawValue: statusName) else {
                throw StoreError.databaseError(detail: "training run \(id) has an unknown status \(statusName.debugDescription)")
            }
            var counts: TrainingDataCounts?
            if let train, let holdout { counts = TrainingDataCounts(trainingExamples: Int(train), holdoutExamples: Int(holdout)) }
            return TrainingRun(
                id: id, startedAt: Date(timeIntervalSince1970: startedAt), finishedAt: finishedAt.map(Date.init(timeIntervalSince1970:)),
                status: status, dataCounts: counts, metricsJSON: metrics, error: error, trigger: trigger,
                pid: try pid.map { try Self.int32($0, "training run \(id)'s pid") }, progress: progress, node: node,
                heartbeatAt: heartbeatAt.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// A pid written from an Int32; a row edited by hand out of range is an error, not a crash.
    static func int32(_ stored: Int64, _ what: @autoclosure () -> String) throws -> Int32 {
        guard let value = Int32(exactly: stored) else { throw StoreError.databaseError(detail: "\(what()) \(stored) is out of range") }
        return value
    }
}
