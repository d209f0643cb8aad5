import Foundation
import XCTest
@testable import SpamStore

/// The journal's recording rate on bigger runs than the smoke test, for before/after figures.
/// Skipped unless `SIFT_STORE_BENCH` is set (it takes a minute or two and the figures depend
/// on the machine): `SIFT_STORE_BENCH=1 swift test --filter JournalRateBenchmarkTests`. Debug
/// builds mostly measure GRDB's unoptimised statement overhead; compare release builds
/// (`-c release -Xswiftc -enable-testing`).
final class JournalRateBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["SIFT_STORE_BENCH"] != nil, "set SIFT_STORE_BENCH to run")
    }

    /// `sift bench store`'s figures (1,000 distinct SMS-sized texts, repeated).
    func testStoreBenchmark() throws {
        let directory = try TemporaryDirectory()
        for _ in 0..<3 {
            let result = try StoreBenchmark.run(in: directory.url, predictions: 50_000, batchSize: 64, labels: 50)
            print("bench store: \(Int(result.predictionsPerSecond)) predictions/s, label p50 \(result.labelLatencyP50Milliseconds) ms")
        }
    }

    /// The daemon's path (reserved ids): texts of a few sizes, every text distinct, and every
    /// text the same.
    func testReservedIDJournal() throws {
        for size in [50, 300, 1_000, 8_000] {
            for distinct in [true, false] {
                let rates = try (0..<3).map { _ in
                    try Self.journalRate(messages: 20_000, batchSize: 64, textBytes: size, distinctTexts: distinct)
                }
                print("journal (reserved ids, \(size)-byte \(distinct ? "distinct" : "identical") texts): \(rates.map { Int($0) }) rows/s")
            }
        }
    }

    private static func journalRate(messages: Int, batchSize: Int, textBytes: Int, distinctTexts: Bool) throws -> Double {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.path("bench.sqlite"))
        defer { try? store.close() }
        let filler = String(repeating: "free prize, call now to claim it. ", count: textBytes / 34 + 1)
        func text(_ index: Int) -> String {
            String(((distinctTexts ? "message \(index): " : "message: ") + filler).utf8.prefix(textBytes))!
        }
        // One reservation up front, as the daemon reserves blocks: only the journal is timed.
        let reserved = Array(try store.reserveMessageIDs(count: messages))
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            var start = 0
            while start < messages {
                let count = min(batchSize, messages - start)
                let batch = (start..<start + count).map { index in
                    ClassifiedMessage(
                        text: text(index), receivedAt: Date(), peer: Peer(pid: 1, uid: 1000, gid: 1000),
                        prediction: PredictionRecord(
                            modelVersion: "1", label: index % 7 == 0 ? "spam" : "ham", probability: 0.9, latencyMilliseconds: 2))
                }
                try store.recordClassified(batch, ids: Array(reserved[start..<start + count]))
                start += count
            }
        }
        let parts = elapsed.components
        return Double(messages) / (Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
    }
}
