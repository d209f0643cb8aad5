import Foundation

/// The store operations that have more than one engine: ``Store`` (SQLite, one machine) and
/// `PostgresStore` (the SpamStorePostgres module, a database several nodes share). Each
/// requirement means what ``Store``'s method of that name documents; the contract tests in
/// SpamStoreTests run the same bodies against both engines.
///
/// Every method is synchronous and blocking, safe to call from any thread but not from a
/// SwiftNIO event loop: a write has committed when it returns (journal batches excepted, see
/// ``Store/recordClassified(_:)``).
///
/// The rest of what siftd needs is in the protocols ``SiftStore`` combines.
public protocol MessageStore: Sendable {
    /// Reserves `count` consecutive message ids that no other caller, on any node, gets.
    func reserveMessageIDs(count: Int) throws -> ClosedRange<MessageID>

    /// Records a batch of classified messages and their predictions, all or nothing, and
    /// returns their new ids in batch order.
    @discardableResult
    func recordClassified(_ batch: [ClassifiedMessage]) throws -> [MessageID]

    /// Records a batch under ids from ``reserveMessageIDs(count:)``; `ids[i]` is `batch[i]`'s.
    func recordClassified(_ batch: [ClassifiedMessage], ids: [MessageID], storingText: Bool, durable: Bool) throws

    func message(_ id: MessageID) throws -> StoredMessage?
    /// A message's predictions, oldest first.
    func predictions(forMessage id: MessageID) throws -> [StoredPrediction]

    /// Labels a stored message, superseding its current label; returns after the commit.
    @discardableResult
    func setLabel(
        _ label: String, forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32?, at time: Date
    ) throws -> LabelEvent
    /// Withdraws a message's label; nil (and nothing written) when it had none.
    @discardableResult
    func forgetLabel(forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32?, at time: Date) throws -> LabelEvent?
    /// Withdraws the label of every labelled message whose text is exactly `text`; returns their ids.
    func forgetLabels(ofText text: String, source: LabelSource, peerUID: UInt32?, at time: Date) throws -> [MessageID]
    func currentLabelEvent(forMessage messageID: MessageID) throws -> LabelEvent?
    func currentLabel(forMessage messageID: MessageID) throws -> String?
    /// Every label event of a message, oldest first.
    func labelHistory(forMessage messageID: MessageID) throws -> [LabelEvent]

    /// The last `days` UTC days up to `now`, oldest first, days without traffic as zeros.
    func dailyStats(days: Int, now: Date, spamLabel: String) throws -> [DailyStats]
    /// Current labels (latest, not withdrawn) created after `time` (nil: all).
    func newLabelCounts(since time: Date?) throws -> LabelCounts
}

extension Store: MessageStore, TrainingDataStore, TrainingRunStore {}

extension Store: ModelRegistryStore {
    /// Model files stay on this machine's disk, at each record's path.
    public var holdsModelFiles: Bool { false }
    public func modelFileDigests(version: String) throws -> [ModelFileDigest] { [] }
    public func modelFileContents(version: String, name: String) throws -> Data {
        throw StoreError.invalidArgument("the SQLite store keeps no model files; model \(version) is at its path")
    }
}

/// The calls with the defaults ``Store``'s methods have, for code that holds `any MessageStore`.
extension MessageStore {
    @discardableResult
    public func setLabel(_ label: String, forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32? = nil) throws -> LabelEvent {
        try setLabel(label, forMessage: messageID, source: source, peerUID: peerUID, at: Date())
    }

    @discardableResult
    public func forgetLabel(forMessage messageID: MessageID, source: LabelSource, peerUID: UInt32? = nil) throws -> LabelEvent? {
        try forgetLabel(forMessage: messageID, source: source, peerUID: peerUID, at: Date())
    }

    public func forgetLabels(ofText text: String, source: LabelSource, peerUID: UInt32? = nil) throws -> [MessageID] {
        try forgetLabels(ofText: text, source: source, peerUID: peerUID, at: Date())
    }

    public func dailyStats(days: Int, spamLabel: String = "spam") throws -> [DailyStats] {
        try dailyStats(days: days, now: Date(), spamLabel: spamLabel)
    }
}
