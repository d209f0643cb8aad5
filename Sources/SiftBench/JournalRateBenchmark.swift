import Foundation
import SpamStore

/// The figures behind `sift bench journal`: the daemon's own recording path (ids reserved up
/// front, as the journal reserves blocks) for texts of a given size, all distinct or all the
/// same, with or without an fsync per batch (journal.durable).
public enum JournalRateBenchmark {
    /// Messages recorded per second, in a fresh database inside `directory` (removed afterwards).
    public static func rowsPerSecond(
        in directory: URL, messages: Int, batchSize: Int, textBytes: Int, distinctTexts: Bool, durable: Bool
    ) throws -> Double {
        guard messages > 0, batchSize > 0, textBytes > 0 else {
            throw StoreError.invalidArgument("messages, batch size and text bytes must be positive")
        }
        return try ScratchStore.with(in: directory) { store in
            try rowsPerSecond(store, messages: messages, batchSize: batchSize, textBytes: textBytes, distinctTexts: distinctTexts, durable: durable)
        }
    }

    private static func rowsPerSecond(
        _ store: Store, messages: Int, batchSize: Int, textBytes: Int, distinctTexts: Bool, durable: Bool
    ) throws -> Double {
        let filler = String(repeating: "free prize, call now to claim it. ", count: textBytes / 34 + 1)
        func text(_ index: Int) -> String {
            String(decoding: ((distinctTexts ? "message \(index): " : "message: ") + filler).utf8.prefix(textBytes), as: UTF8.self)
        }
        let reserved = Array(try store.reserveMessageIDs(count: messages))
        let elapsed = try ContinuousClock().measure {
            var start = 0
            while start < messages {
                let count = min(batchSize, messages - start)
                let batch = (start..<start + count).map { index in
                    ClassifiedMessage(
                        text: text(index), receivedAt: Date(), peer: Peer(pid: 1, uid: 1000, gid: 1000),
                        prediction: PredictionRecord(
                            modelVersion: "1", label: index % 7 == 0 ? "spam" : "ham", probability: 0.9, latencyMilliseconds: 2))
                }
                try store.recordClassified(batch, ids: Array(reserved[start..<start + count]), durable: durable)
                start += count
            }
        }
        return Double(messages) / (elapsed / .seconds(1))
    }
}
