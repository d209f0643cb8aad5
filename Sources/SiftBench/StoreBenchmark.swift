import Foundation
import SpamStore
import SpamStorePostgres

/// The figures behind `sift bench store`: how fast the journal can record predictions, and
/// how long a client waits for a label to be acknowledged (one durable commit).
public enum StoreBenchmark {
    public struct Result: Sendable, Equatable, Codable {
        public var predictions: Int
        public var batchSize: Int
        public var predictionsPerSecond: Double
        public var labels: Int
        public var labelLatencyP50Milliseconds: Double
        public var labelLatencyP99Milliseconds: Double
        public var labelLatencyMaxMilliseconds: Double
    }

    /// Runs in a fresh database inside `directory` (which must exist and is left as is;
    /// the database files are removed afterwards).
    public static func run(in directory: URL, predictions: Int, batchSize: Int, labels: Int) throws -> Result {
        guard predictions > 0, batchSize > 0, labels > 0 else {
            throw StoreError.invalidArgument("predictions, batch size and labels must be positive")
        }
        return try ScratchStore.with(in: directory) { store in
            try run(store, predictions: predictions, batchSize: batchSize, labels: labels)
        }
    }

    /// Runs in a scratch database created in the PostgreSQL cluster `server` names (its role
    /// needs CREATEDB) and dropped afterwards. Returns the figures and the server's version.
    public static func run(
        postgres server: PostgresURL, predictions: Int, batchSize: Int, labels: Int
    ) throws -> (result: Result, serverVersion: String) {
        guard predictions > 0, batchSize > 0, labels > 0 else {
            throw StoreError.invalidArgument("predictions, batch size and labels must be positive")
        }
        let scratch = try PostgresScratchDatabase(server: server, prefix: "sift_bench")
        let outcome = Swift.Result<(result: Result, serverVersion: String), any Error> {
            let store = try PostgresStore(url: scratch.url)
            defer { store.close() }
            return (try run(store, predictions: predictions, batchSize: batchSize, labels: labels), try store.serverVersion())
        }
        try scratch.drop()
        return try outcome.get()
    }

    /// Generic rather than existential, so the SQLite figures are measured on `Store` itself.
    private static func run<S: MessageStore>(_ store: S, predictions: Int, batchSize: Int, labels: Int) throws -> Result {
        let clock = ContinuousClock()
        let texts = (0..<1_000).map(sampleText)
        var messageIDs: [MessageID] = []
        messageIDs.reserveCapacity(predictions)
        let journalTime = try clock.measure {
            var start = 0
            while start < predictions {
                let end = min(start + batchSize, predictions)
                let batch = (start..<end).map { index in
                    ClassifiedMessage(
                        text: texts[index % texts.count], receivedAt: Date(), peer: Peer(pid: 1234, uid: 1000, gid: 1000),
                        prediction: PredictionRecord(
                            modelVersion: "1", label: index % 7 == 0 ? "spam" : "ham",
                            probability: 0.9, latencyMilliseconds: 12.5))
                }
                messageIDs += try store.recordClassified(batch)
                start = end
            }
        }

        var latencies: [Double] = []
        latencies.reserveCapacity(labels)
        for index in 0..<labels {
            let messageID = messageIDs[index * 7919 % messageIDs.count]
            let label = index % 2 == 0 ? "spam" : "ham"
            let elapsed = try clock.measure {
                try store.setLabel(label, forMessage: messageID, source: .correction, peerUID: 1000, at: Date())
            }
            latencies.append(milliseconds(elapsed))
        }
        latencies.sort()

        return Result(
            predictions: predictions, batchSize: batchSize,
            predictionsPerSecond: Double(predictions) / (milliseconds(journalTime) / 1_000),
            labels: labels,
            labelLatencyP50Milliseconds: percentile(latencies, 0.50),
            labelLatencyP99Milliseconds: percentile(latencies, 0.99),
            labelLatencyMaxMilliseconds: latencies.last!)
    }

    /// SMS-sized texts (40-160 characters) that differ, so every hash is computed for real.
    private static func sampleText(_ index: Int) -> String {
        let words = ["free", "call", "now", "win", "prize", "see", "you", "later", "ok", "lunch", "txt", "claim", "home", "love"]
        var text = "msg \(index):"
        var state = UInt64(index) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let length = 40 + index % 121
        while text.utf8.count < length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += " " + words[Int(state >> 33) % words.count]
        }
        return text
    }

    /// Nearest-rank percentile of sorted values.
    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        duration / .milliseconds(1)
    }
}
