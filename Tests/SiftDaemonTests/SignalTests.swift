import Foundation
import SiftJSON
import SpamStore
import XCTest
@testable import SiftDaemon

/// SIGTERM and SIGHUP sent to a real siftd under load.
final class SignalTests: XCTestCase {
    /// What clients were told, gathered across their threads.
    private final class Acknowledgements: @unchecked Sendable {
        private let lock = NSLock()
        private var labels: [MessageID: String] = [:]
        private var classified: [MessageID] = []
        private var replies = 0
        private var errors: [String] = []

        func label(_ id: MessageID, _ label: String) { lock.withLock { labels[id] = label; replies += 1 } }
        func classify(_ id: MessageID) { lock.withLock { classified.append(id); replies += 1 } }
        func error(_ text: String) { lock.withLock { errors.append(text) } }
        var snapshot: (labels: [MessageID: String], classified: [MessageID], replies: Int, errors: [String]) {
            lock.withLock { (labels, classified, replies, errors) }
        }
    }

    /// One client's loop: pipelines a few labels and classifies, reads every reply, until the
    /// daemon closes the connection (or `stop` is set). Returns requests sent and replies read.
    private static func load(_ socket: String, client: Int, acks: Acknowledgements, stop: @escaping @Sendable () -> Bool) -> (sent: Int, read: Int) {
        guard let connection = try? LineClient(socketPath: socket) else { return (0, 0) }
        connection.setReceiveTimeout(seconds: 60)
        var sent = 0
        var read = 0
        var round = 0
        while !stop() {
            var batch: [UInt8] = []
            var expected: [(String, String?)] = []  // (op, label)
            for i in 0..<4 {
                let label = (round + i) % 2 == 0 ? "spam" : "ham"
                if i % 2 == 0 {
                    JSONWriter.write(["op": "label", "text": .string("client \(client) round \(round) item \(i)"), "label": .string(label)], into: &batch)
                    expected.append(("label", label))
                } else {
                    JSONWriter.write(["op": "classify", "text": .string("client \(client) says \(round % 7)")], into: &batch)
                    expected.append(("classify", nil))
                }
                batch.append(10)
            }
            guard (try? connection.send(batch)) != nil else { break }
            sent += expected.count
            for (op, label) in expected {
                guard let reply = try? connection.readReply() else { return (sent, read) }
                read += 1
                if let code = reply.errorCode {
                    acks.error(code)
                } else if let id = reply["message_id"]?.intValue {
                    if op == "label" { acks.label(id, label!) } else { acks.classify(id) }
                }
            }
            round += 1
        }
        return (sent, read)
    }

    /// systemd may stop a unit while it still loads: SIGTERM then must be a clean stop (exit 0),
    /// not death by the default action (143), wherever in start-up it lands.
    func testSIGTERMDuringStartupIsACleanStop() throws {
        for delay: useconds_t in [0, 20_000, 100_000] {
            let siftd = try SiftdProcess()
            XCTAssertTrue(RetrainFixture.wait(timeout: 60) { siftd.log.contains("starting") || !siftd.process.isRunning }, siftd.log)
            usleep(delay)
            siftd.signal(SIGTERM)
            XCTAssertEqual(siftd.waitForExit(), 0, "SIGTERM \(delay) µs after start-up began:\n\(siftd.log)")
        }
    }

    func testSIGTERMUnderLoadExitsZeroAndLosesNoAcknowledgedWrite() throws {
        let siftd = try SiftdProcess()
        try siftd.waitUntilServing()
        let acks = Acknowledgements()
        let group = DispatchGroup()
        for client in 0..<8 {
            DispatchQueue.global().async(group: group) {
                _ = Self.load(siftd.socketPath, client: client, acks: acks, stop: { false })
            }
        }
        // Let the load run until some writes are acknowledged, then stop the daemon mid-stream.
        let deadline = Date().addingTimeInterval(60)
        while acks.snapshot.labels.count < 200 && Date() < deadline { usleep(10_000) }
        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "clients see the connection end")

        let (labels, classified, _, errors) = acks.snapshot
        XCTAssertGreaterThanOrEqual(labels.count, 200)
        XCTAssertEqual(errors, [], "no request failed")
        let store = try Store(path: siftd.statePath + "/sift.sqlite")
        defer { try? store.close() }
        for (id, label) in labels {
            XCTAssertEqual(try store.currentLabel(forMessage: id), label, "acknowledged label of message \(id) lost")
        }
        for id in classified {
            XCTAssertTrue(try store.messageExists(id), "answered classify \(id) was not journaled before exit")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: siftd.socketPath), "socket file removed")
    }

    func testSIGHUPUnderLoadReloadsWithoutDroppingARequest() throws {
        let siftd = try SiftdProcess(config: "limits:\n  max_pending_per_connection: 64\n")
        try siftd.waitUntilServing()
        let acks = Acknowledgements()
        let stopping = Flag()
        let totals = Totals()
        let group = DispatchGroup()
        for client in 0..<6 {
            DispatchQueue.global().async(group: group) {
                let (sent, read) = Self.load(siftd.socketPath, client: client, acks: acks, stop: { stopping.isSet })
                totals.add(sent: sent, read: read)
            }
        }
        let observer = try LineClient(socketPath: siftd.socketPath)
        observer.setReceiveTimeout(seconds: 60)
        func reloads() throws -> Int64 { try observer.call(["op": "health"])["reloads"]?.intValue ?? -1 }

        for expected in 1...3 {
            siftd.signal(SIGHUP)
            let deadline = Date().addingTimeInterval(60)
            while try reloads() < expected && Date() < deadline { usleep(20_000) }
            XCTAssertEqual(try reloads(), Int64(expected), siftd.log)
        }
        // A reload applies a changed config: here, take the label rights away from our own uid.
        // The free-space floor is fixed at start: changing it says so instead of passing silently.
        try "authorization:\n  allow_own_uid: false\nstorage:\n  min_free_mb: 1\n"
            .write(toFile: siftd.configPath, atomically: true, encoding: .utf8)
        siftd.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(60)
        while try reloads() < 4 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(try observer.call(["op": "correct", "message_id": 1, "label": "ham"]).errorCode, "not_authorized")
        while !siftd.log.contains("storage.min_free_mb") && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(siftd.log.contains("take effect only after a restart"), siftd.log)
        XCTAssertTrue(siftd.log.contains("storage.min_free_mb"), siftd.log)

        stopping.set()
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let (sent, read) = totals.values
        XCTAssertGreaterThan(sent, 0)
        XCTAssertEqual(read, sent, "every request sent during the reloads was answered on its connection")
        XCTAssertEqual(acks.snapshot.errors.filter { $0 != "not_authorized" }, [])

        siftd.signal(SIGTERM)
        XCTAssertEqual(siftd.waitForExit(), 0, siftd.log)
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

private final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private var sent = 0
    private var read = 0
    func add(sent: Int, read: Int) { lock.withLock { self.sent += sent; self.read += read } }
    var values: (sent: Int, read: Int) { lock.withLock { (sent, read) } }
}
