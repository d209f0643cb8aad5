import Checksum
import Foundation
import SiftDaemon
import SpamStore
import TestSupport
import XCTest

/// A state directory for the retraining tests: the golden tiny GPT-2 as the base, no classifier
/// file (so the first model is a cold start from the SMS collection as seed data), and settings
/// that make a run take seconds. Real processes throughout: `siftd train` and `siftd`.
final class RetrainFixture {
    let directory: ShortTemporaryDirectory
    let config: String
    /// The SMS Spam Collection: the seed data, and where test texts come from.
    let sms: [(label: String, text: String)]

    init(retrain extra: String = "", trainable: String = "all", file: StaticString = #filePath, line: UInt = #line) throws {
        let smsURL = try SharedFixtures.require("data/sms-spam-collection/SMSSpamCollection", file: file, line: line)
        directory = try ShortTemporaryDirectory()
        sms = try String(contentsOf: smsURL, encoding: .utf8).split(separator: "\n").compactMap { row in
            guard let tab = row.firstIndex(of: "\t") else { return nil }
            return (String(row[..<tab]), String(row[row.index(after: tab)...]))
        }
        config = """
            model:
              classifier: \(directory.file("no-classifier.safetensors"))
            retrain:
              enabled: false
              seed_data: \(smsURL.path)
              trainable: \(trainable)
              learning_rate: 0.001
              epochs: 3
              threads: 1
              keep_models: 1
            \(extra)
            """
        try config.write(toFile: directory.file("siftd.yaml"), atomically: true, encoding: .utf8)
    }

    /// `siftd train` by hand, as before the first start: returns its exit status and output.
    func trainByHand() throws -> (status: Int32, output: String, errors: String) {
        try BuiltExecutable.run(try SiftdProcess.binary(), ["train"] + SiftdProcess.arguments(in: directory),
                                environment: SiftdProcess.environment())
    }

    /// A cold start that must succeed: the first model, r1.
    func coldStart(file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try trainByHand()
        XCTAssertEqual(result.status, 0, "siftd train: \(result.errors)", file: file, line: line)
        XCTAssertTrue(result.output.contains("r1 promoted"), result.output, file: file, line: line)
    }

    /// Labels stored straight into the store, as `peer`'s (what the `label` op records).
    func label(_ texts: [String], as label: String, uid: UInt32) throws {
        let store = try openStore()
        _ = try store.recordLabeledMessages(texts.map { LabeledText(text: $0, label: label) }, source: .api,
                                            peer: Peer(pid: 1, uid: uid, gid: uid))
        try store.close()
    }

    /// sha256 of a model version's checkpoint file.
    func checkpointSHA256(_ version: String) throws -> String {
        try SHA256.hex(contentsOf: URL(fileURLWithPath: directory.file("state/models/\(version)/classifier.safetensors")))
    }

    func startDaemon() throws -> SiftdProcess {
        let siftd = try SiftdProcess(config: config, directory: directory)
        try siftd.waitUntilServing()
        return siftd
    }

    /// The store, opened beside the daemon (WAL lets processes share it).
    func openStore() throws -> Store {
        var options = Store.Options()
        options.checkIntegrityAtOpen = false
        return try Store(path: directory.file("state/sift.sqlite"), options: options)
    }

    func client() throws -> LineClient {
        let client = try LineClient(socketPath: directory.file("s.sock"))
        client.setReceiveTimeout(seconds: 300)
        return client
    }

    /// Polls `condition` every `interval` µs until it holds or `timeout` passes (a throw counts as not yet).
    @discardableResult
    static func wait(timeout: TimeInterval = 120, every interval: useconds_t = 20_000, for condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            usleep(interval)
        }
        return false
    }

    /// A kind of spam the seed never showed: an ordinary ham text with a signature link.
    static func newKindSpam(_ ham: String) -> String { ham + " see ya at kx9vw.example" }

    /// Ham texts of the SMS collection, `range` of them in file order.
    func hams(_ range: Range<Int>) -> [String] { Array(sms.filter { $0.label == "ham" }.map(\.text)[range]) }
    func spams(_ range: Range<Int>) -> [String] { Array(sms.filter { $0.label == "spam" }.map(\.text)[range]) }
}
