import Foundation
import NIOCore
import PostgresNIO
import SpamStore
import Synchronization

/// Sift's store on PostgreSQL: the whole ``SiftStore`` contract on a database that several
/// nodes can share, model files included (``holdsModelFiles``). Every method is synchronous
/// and blocking, like ``Store``'s (see ``PostgresConnections``); a write has committed when
/// its call returns.
///
/// Message ids come from the `message_ids` sequence, reserved in blocks: each instance keeps
/// the rest of its current block in memory for ``recordClassified(_:)``, so a journal batch
/// costs no round trip for its ids, and two nodes never get the same id. Ids of a block an
/// instance never used stay unused, as with the SQLite store's reservations.
public final class PostgresStore: SiftStore {
    public struct Options: Sendable {
        /// Ids an instance reserves at a time for ``recordClassified(_:)``.
        public var idBlockSize = 4_096
        /// How long opening a connection may take before the call fails as unavailable.
        public var connectTimeout: Duration = .seconds(5)
        /// How long one statement may go unanswered before the call fails as unavailable and
        /// its connection is closed. A server that stops mid-call does not always close its
        /// side in a way the client notices (a COMMIT during a fast shutdown was seen to wait
        /// forever): without a deadline one such call would hold a daemon's store thread.
        public var callTimeout: Duration = .seconds(30)
        /// How often a registry listener (``followRegistryChanges(listening:changed:)``) asks
        /// the server whether its connection still answers: a listener only reads, so without
        /// asking it would not notice a connection that went silent.
        public var listenerPing: Duration = .seconds(15)

        public init() {}
    }

    public let url: PostgresURL
    let connections: PostgresConnections
    private let idBlockSize: Int
    let listenerPing: Duration
    /// The rest of this instance's current id block.
    private let idBlock = Mutex<ClosedRange<MessageID>?>(nil)

    /// Connects to the database at `url` and migrates it to the current schema. Throws
    /// ``StoreError/invalidStoreURL(_:reason:)`` for a malformed URL and
    /// ``StoreError/storeUnavailable(detail:)`` when the server cannot be reached.
    public convenience init(url: String, options: Options = Options()) throws {
        try self.init(url: PostgresURL(url), options: options)
    }

    public init(url: PostgresURL, options: Options = Options()) throws {
        guard options.idBlockSize > 0 else {
            throw StoreError.invalidArgument("id block size must be positive, not \(options.idBlockSize)")
        }
        self.url = url
        idBlockSize = options.idBlockSize
        listenerPing = options.listenerPing
        connections = PostgresConnections(url: url, connectTimeout: options.connectTimeout, callTimeout: options.callTimeout)
        try PostgresSchema.migrate(connections)
    }

    /// Closes the connections; any later call throws ``StoreError/storeUnavailable(detail:)``.
    public func close() {
        connections.close()
    }

    // MARK: - Message ids

    /// Any fixed number: the advisory lock under which a reservation moves the sequence, so
    /// the ids of one reservation are consecutive whoever else reserves at the same time.
    static let reservationLock: Int64 = 0x5_1F7_0002

    /// Reserves `count` consecutive ids from the shared sequence. Returns after the commit.
    public func reserveMessageIDs(count: Int) throws -> ClosedRange<MessageID> {
        guard count > 0 else { throw StoreError.invalidArgument("cannot reserve \(count) message ids") }
        // nextval then setval, under a lock every reservation takes: nothing can take an id in
        // between. Sequence changes are not rolled back, so a failed commit only skips ids.
        let last = try connections.transaction { connection in
            try connections.run("SELECT pg_advisory_xact_lock(\(Self.reservationLock))", on: connection)
            let rows = try connections.run(
                "SELECT setval('message_ids', nextval('message_ids') + \(Int64(count)) - 1)", on: connection)
            return try rows.first!.decode(Int64.self)
        }
        return (last - Int64(count) + 1)...last
    }

    /// `count` ids from this instance's block, reserving new blocks as needed (not necessarily
    /// consecutive across blocks).
    func takeIDs(_ count: Int) throws -> [MessageID] {
        var ids: [MessageID] = []
        ids.reserveCapacity(count)
        while ids.count < count {
            let taken = idBlock.withLock { block -> [MessageID] in
                guard let range = block else { return [] }
                let n = min(count - ids.count, range.count)
                let last = range.lowerBound + Int64(n) - 1
                block = last < range.upperBound ? (last + 1)...range.upperBound : nil
                return Array(range.lowerBound...last)
            }
            ids += taken
            if ids.count < count {
                let fresh = try reserveMessageIDs(count: max(idBlockSize, count - ids.count))
                // Another thread may have refilled the block meanwhile; the older rest is dropped
                // (never handed out), which costs ids, never uniqueness.
                idBlock.withLock { $0 = fresh }
            }
        }
        return ids
    }

    // MARK: - Classified messages

    @discardableResult
    public func recordClassified(_ batch: [ClassifiedMessage]) throws -> [MessageID] {
        try Self.validate(batch)
        let ids = try takeIDs(batch.count)
        try insert(batch, ids: ids, storingText: true, durable: false)
        return ids
    }

    /// Like ``Store/recordClassified(_:ids:storingText:durable:)``. `durable` false commits
    /// with `synchronous_commit = off`, the counterpart of the SQLite journal's skipped fsync:
    /// atomic and crash-safe for the server process, while a server power cut may lose the
    /// last batches. Labels always commit durably.
    public func recordClassified(
        _ batch: [ClassifiedMessage], ids: [MessageID], storingText: Bool = true, durable: Bool = false
    ) throws {
        guard batch.count == ids.count else {
            throw StoreError.invalidArgument("\(batch.count) messages but \(ids.count) ids")
        }
        try Self.validate(batch)
        try insert(batch, ids: ids, storingText: storingText, durable: durable)
    }

    private static func validate(_ batch: [ClassifiedMessage]) throws {
        for item in batch { try Store.validate(item.prediction) }
    }

    /// Two multi-row statements (messages, then predictions), each binding one array per
    /// column and expanding them with UNNEST, in one transaction.
    private func insert(_ batch: [ClassifiedMessage], ids: [MessageID], storingText: Bool, durable: Bool) throws {
        guard !batch.isEmpty else { return }
        var hasher = BatchTextHasher()
        let hashes = batch.map { hasher.sha256($0.text) }
        let texts = batch.map { StorableText.of($0.text) }
        let receivedAt = batch.map(\.receivedAt.timeIntervalSince1970)
        // Arrays of optionals do not bind; -1 stands for "no peer" (pids and ids are never negative).
        let pids = batch.map { $0.peer.map { Int64($0.pid) } ?? -1 }
        let uids = batch.map { $0.peer.map { Int64($0.uid) } ?? -1 }
        let gids = batch.map { $0.peer.map { Int64($0.gid) } ?? -1 }
        let versions = batch.map(\.prediction.modelVersion)
        let labels = batch.map(\.prediction.label)
        let probabilities = batch.map(\.prediction.probability)
        let latencies = batch.map(\.prediction.latencyMilliseconds)

        try connections.transaction { connection in
            if !durable { try connections.run("SET LOCAL synchronous_commit = off", on: connection) }
            try connections.run("""
                INSERT INTO messages (id, text, sha256, received_at, peer_pid, peer_uid, peer_gid, text_dropped_at)
                SELECT id, CASE WHEN \(storingText) THEN text END, sha256, received_at,
                       nullif(pid, -1), nullif(uid, -1), nullif(gid, -1),
                       CASE WHEN \(storingText) THEN NULL ELSE received_at END
                FROM unnest(\(ids)::int8[], \(texts)::text[], \(hashes)::text[], \(receivedAt)::float8[],
                            \(pids)::int8[], \(uids)::int8[], \(gids)::int8[])
                     AS t (id, text, sha256, received_at, pid, uid, gid)
                """, on: connection)
            try connections.run("""
                INSERT INTO predictions (message_id, model_version, label, probability, latency_ms, predicted_at)
                SELECT * FROM unnest(\(ids)::int8[], \(versions)::text[], \(labels)::text[],
                                     \(probabilities)::float8[], \(latencies)::float8[], \(receivedAt)::float8[])
                """, on: connection)
        }
    }

    public func message(_ id: MessageID) throws -> StoredMessage? {
        try connections.withConnection { connection in
            let rows = try connections.run("""
                SELECT id, text, sha256, received_at, peer_pid, peer_uid, peer_gid, text_dropped_at
                FROM messages WHERE id = \(id)
                """, on: connection)
            return try rows.first.map { row in
                let (id, text, sha256, receivedAt, pid, uid, gid, droppedAt) = try row.decode(
                    (Int64, String?, String, Double, Int64?, Int64?, Int64?, Double?).self)
                var peer: Peer?
                if let pid, let uid, let gid {
                    // Written from Int32/UInt32; a row edited by hand out of range is an error, not a crash.
                    guard let pid = Int32(exactly: pid), let uid = UInt32(exactly: uid), let gid = UInt32(exactly: gid) else {
                        throw StoreError.databaseError(detail: "message \(id) has a peer out of range")
                    }
                    peer = Peer(pid: pid, uid: uid, gid: gid)
                }
                return StoredMessage(
                    id: id, text: text, sha256: sha256, receivedAt: Date(timeIntervalSince1970: receivedAt), peer: peer,
                    textDroppedAt: droppedAt.map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func predictions(forMessage id: MessageID) throws -> [StoredPrediction] {
        try connections.withConnection { connection in
            let rows = try connections.run("""
                SELECT id, message_id, model_version, label, probability, latency_ms, predicted_at
                FROM predictions WHERE message_id = \(id) ORDER BY id
                """, on: connection)
            return try rows.map { row in
                let (id, messageID, version, label, probability, latency, predictedAt) = try row.decode(
                    (Int64, Int64, String, String, Double, Double, Double).self)
                return StoredPrediction(
                    id: id, messageID: messageID,
                    prediction: PredictionRecord(
                        modelVersion: version, label: label, probability: probability, latencyMilliseconds: latency),
                    predictedAt: Date(timeIntervalSince1970: predictedAt))
            }
        }
    }
}
