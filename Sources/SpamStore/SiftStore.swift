import Foundation

/// Everything siftd and its trainer need from a store, on either engine: ``Store`` (SQLite,
/// one machine) or `PostgresStore` (one database a fleet of nodes shares). Each requirement
/// means what ``Store``'s method of that name documents; the contract tests in SpamStoreTests
/// run the same bodies against both engines.
public typealias SiftStore = MessageStore & TrainingDataStore & ModelRegistryStore & TrainingRunStore & NodeRegistry

/// Labelled data for training, retention, and the figures that schedule and report on them.
public protocol TrainingDataStore: Sendable {
    /// Stores new messages with their labels in one transaction (the `label` op, import).
    func recordLabeledMessages(_ items: [LabeledText], source: LabelSource, peer: Peer?, at time: Date) throws -> [MessageID]
    func messageExists(_ id: MessageID) throws -> Bool
    /// Every currently labelled message with its text, split by the hash of the text.
    func labeledMessages(holdoutPercent: Int) throws -> HoldoutSplit
    func onlineAccuracy(modelVersion: String?, since: Date?) throws -> OnlineAccuracy
    /// Current labels created after the last successful training run started.
    func newLabelCountsSinceLastTraining() throws -> LabelCounts
    /// Drops the texts of unlabelled messages older than `days`; returns how many.
    func dropTextOfUnlabeledMessages(olderThanDays days: Int, now: Date, batchSize: Int) throws -> Int
    func storageFigures() throws -> StorageFigures
    /// Ends every connection or file handle; later calls throw.
    func close() throws
}

extension TrainingDataStore {
    public func recordLabeledMessage(_ item: LabeledText, source: LabelSource, peer: Peer? = nil, at time: Date = Date()) throws -> MessageID {
        try recordLabeledMessages([item], source: source, peer: peer, at: time)[0]
    }

    public func onlineAccuracy() throws -> OnlineAccuracy { try onlineAccuracy(modelVersion: nil, since: nil) }

    @discardableResult
    public func dropTextOfUnlabeledMessages(olderThanDays days: Int) throws -> Int {
        try dropTextOfUnlabeledMessages(olderThanDays: days, now: Date(), batchSize: 1_000)
    }
}

/// One file of a model as a store that holds model files keeps it.
public struct ModelFileDigest: Sendable, Equatable {
    /// The file's name inside the model's directory.
    public var name: String
    /// SHA-256 of its bytes, lowercase hex.
    public var sha256: String
    public var byteCount: Int64

    public init(name: String, sha256: String, byteCount: Int64) {
        self.name = name
        self.sha256 = sha256
        self.byteCount = byteCount
    }
}

/// The model registry: versions, their status, and (on a shared engine) their files.
public protocol ModelRegistryStore: Sendable {
    @discardableResult
    func registerCandidateModel(
        version: String, path: String, baseModelSHA256: String, metricsJSON: String?, trainingRunID: TrainingRunID?, at time: Date
    ) throws -> ModelRecord
    func completeTrainingRun(
        _ id: TrainingRunID, model: ModelRecord, promote: Bool, dataCounts: TrainingDataCounts?, metricsJSON: String?, at time: Date
    ) throws -> (model: ModelRecord, retired: String?)
    func activateModel(_ version: String?) throws -> (model: ModelRecord, retired: String?, previousStatus: ModelStatus)
    func modelsToPrune(keep: Int) throws -> [ModelRecord]
    func markPruned(_ version: String, at time: Date) throws
    @discardableResult
    func setModelStatus(_ version: String, to status: ModelStatus) throws -> String?
    func activeModel() throws -> ModelRecord?
    func model(version: String) throws -> ModelRecord?
    func models() throws -> [ModelRecord]

    /// Whether this engine keeps each registered model's files itself, so that any node can
    /// load any version (PostgreSQL), or only their path on this machine (SQLite). When it
    /// does, registering a model reads the files in its directory into the store, in the
    /// same transaction.
    var holdsModelFiles: Bool { get }
    /// The files the store holds for `version` (empty when it holds none).
    func modelFileDigests(version: String) throws -> [ModelFileDigest]
    /// One file's bytes, as stored.
    func modelFileContents(version: String, name: String) throws -> Data
}

extension ModelRegistryStore {
    public func completeTrainingRun(
        _ id: TrainingRunID, model: ModelRecord, promote: Bool, dataCounts: TrainingDataCounts?, metricsJSON: String?
    ) throws -> (model: ModelRecord, retired: String?) {
        try completeTrainingRun(id, model: model, promote: promote, dataCounts: dataCounts, metricsJSON: metricsJSON, at: Date())
    }

    public func activateModel() throws -> (model: ModelRecord, retired: String?, previousStatus: ModelStatus) {
        try activateModel(nil)
    }

    public func markPruned(_ version: String) throws { try markPruned(version, at: Date()) }
}

/// Training runs: at most one running across everything that shares the store.
public protocol TrainingRunStore: Sendable {
    /// Opens a run on `node` (nil: a single-machine store). With `exclusive`, a run already
    /// running anywhere makes this throw ``StoreError/trainingRunInProgress(_:)``.
    func startTrainingRun(
        dataCounts: TrainingDataCounts?, trigger: String?, exclusive: Bool, node: String?, at time: Date
    ) throws -> TrainingRun
    /// Records the trainer's pid and progress and renews the run's heartbeat (its lease).
    func updateTrainingRun(_ id: TrainingRunID, pid: Int32?, progress: String?, at time: Date) throws
    func runningTrainingRun() throws -> TrainingRun?
    @discardableResult
    func failTrainingRun(_ id: TrainingRunID, error: String, dataCounts: TrainingDataCounts?, at time: Date) throws -> TrainingRun
    func trainingRun(_ id: TrainingRunID) throws -> TrainingRun?
    /// Runs, newest first.
    func trainingRuns(limit: Int) throws -> [TrainingRun]
    func latestSucceededTrainingRun() throws -> TrainingRun?
}

extension TrainingRunStore {
    public func startTrainingRun(trigger: String?, exclusive: Bool, node: String? = nil) throws -> TrainingRun {
        try startTrainingRun(dataCounts: nil, trigger: trigger, exclusive: exclusive, node: node, at: Date())
    }

    public func updateTrainingRun(_ id: TrainingRunID, pid: Int32? = nil, progress: String? = nil) throws {
        try updateTrainingRun(id, pid: pid, progress: progress, at: Date())
    }

    @discardableResult
    public func failTrainingRun(_ id: TrainingRunID, error: String) throws -> TrainingRun {
        try failTrainingRun(id, error: error, dataCounts: nil, at: Date())
    }

    public func latestTrainingRun() throws -> TrainingRun? { try trainingRuns(limit: 1).first }
}

/// What each siftd sharing the store last said about itself (`sift nodes`).
public struct NodeStatus: Sendable, Equatable {
    /// Unique among the nodes sharing a store (`store.node`, by default the host name).
    public var name: String
    public var host: String
    public var pid: Int32
    /// The model version it serves.
    public var servingVersion: String
    public var precision: String
    public var startedAt: Date
    public var seenAt: Date

    public init(name: String, host: String, pid: Int32, servingVersion: String, precision: String, startedAt: Date, seenAt: Date) {
        self.name = name
        self.host = host
        self.pid = pid
        self.servingVersion = servingVersion
        self.precision = precision
        self.startedAt = startedAt
        self.seenAt = seenAt
    }
}

public protocol NodeRegistry: Sendable {
    /// Creates or replaces the node's row (keyed by name).
    func recordNodeHeartbeat(_ node: NodeStatus) throws
    /// Every node that ever reported, most recently seen first.
    func nodes() throws -> [NodeStatus]
}
