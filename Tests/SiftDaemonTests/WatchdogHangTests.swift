import Foundation
import GPT2
import GPT2Tokenizer
import SiftSystemd
import SpamStore
import TestSupport
import XCTest
@testable import SiftDaemon

/// A batcher that stops taking work (its thread never runs: a hang) makes the watchdog go
/// quiet, which is what lets systemd restart a stuck daemon; an idle one keeps it pinging.
final class WatchdogHangTests: XCTestCase {
    func testAHungBatcherStopsTheWatchdogPings() async throws {
        let directory = try ShortTemporaryDirectory()
        let store = try Store(path: directory.file("sift.sqlite"))
        let modelDirectory = URL(fileURLWithPath: try DaemonFixture.modelDirectory())
        let serving = ServingModel(
            version: "t", classifier: try Classifier(baseDirectory: modelDirectory, classifierFile: nil, pooling: .last),
            tokenizer: try BPETokenizer(directory: modelDirectory))
        let journal = Journal(store: store, settings: Journal.Settings(DaemonConfig.Journal()), metrics: DaemonMetrics(),
                              logger: DaemonFixture.quietLogger)
        try journal.open()
        let batcher = Batcher(models: ModelProvider(initial: serving, source: StoreModelSource(store: store)), journal: journal,
                              settings: Batcher.Settings(DaemonConfig.Batching()), metrics: DaemonMetrics(), logger: DaemonFixture.quietLogger)

        let listener = try NotifySocketListener()
        setenv("NOTIFY_SOCKET", listener.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let limit = Duration.milliseconds(200)
        let watchdog = Task { try await WatchdogService(interval: limit) { batcher.isMakingProgress(within: limit) }.run() }
        defer { watchdog.cancel() }

        // Idle: serving.
        XCTAssertTrue(batcher.isMakingProgress(within: limit))
        XCTAssertEqual(listener.receive(), "WATCHDOG=1")

        // A request nobody takes: the batcher thread was never started, as if it had hung.
        let waiting = Task { try? await batcher.classify("hello", peer: nil) }
        try await Task.sleep(for: limit * 2)
        XCTAssertFalse(batcher.isMakingProgress(within: limit))
        while listener.receiveNow() != nil {}  // pings sent before the request went stale
        XCTAssertNil(listener.receive(), "the watchdog kept pinging while the batcher was stuck")

        // Unstick it: the request is answered and the pings resume.
        let runner = Task { try await batcher.run() }
        let answer = await waiting.value
        XCTAssertNotNil(answer?.messageID)
        XCTAssertTrue(batcher.isMakingProgress(within: limit))
        XCTAssertNotNil(listener.receive(startingWith: "WATCHDOG=1", timeout: 5))
        runner.cancel()
        try await runner.value
    }
}
