import Foundation
import SiftDaemon
import SpamStore
import SpamStorePostgres
import TestSupport
import XCTest

/// Three real siftd processes sharing one PostgreSQL database (issue 19): the model trained on
/// one node is served by all, from the store's copy of its files; labels given on any node
/// train it; a promotion or rollback reaches b by polling and c by LISTEN/NOTIFY (c polls only
/// every 10 minutes); c cut off from the database and reconnected serves what was promoted
/// meanwhile; a node down during a promotion serves the active version when it comes back;
/// `nodes` lists them.
final class FleetTests: XCTestCase {
    func testALabelGivenOnOneNodeIsInTheModelEveryNodeServes() throws {
        let database = try PostgresTestDatabase()
        defer { database.drop() }
        // Node c reaches the database through a proxy the test can sever: its partition.
        let proxyDirectory = try TemporaryDirectory()
        let partition = try SeverableProxy(server: database.url, directory: proxyDirectory)
        defer { partition.stop() }
        let names = ["a", "b", "c"]
        let storeSettings = [
            "a": "url: \(database.url.urlString)\n  poll_interval: 1",
            "b": "url: \(database.url.urlString)\n  poll_interval: 1\n  listen: false",
            "c": "url: \(partition.url.urlString)\n  poll_interval: 600",
        ]
        let nodes = try names.map { name in
            try RetrainFixture(retrain: """
                store:
                  node: \(name)
                  \(storeSettings[name]!)
                """)
        }
        // The first model, trained by hand on node a: r1, its files now in the store.
        try nodes[0].coldStart()
        for node in nodes.dropFirst() {
            XCTAssertFalse(FileManager.default.fileExists(atPath: node.directory.file("state/models/r1")), "b and c never trained")
        }
        var daemons: [SiftdProcess] = []
        defer { for daemon in daemons { daemon.signal(SIGKILL) } }
        for node in nodes { daemons.append(try node.startDaemon()) }
        let clients = try nodes.map { try $0.client() }
        for (name, client) in zip(names, clients) {
            XCTAssertEqual(try client.call(["op": "health"])["model"], "r1", "node \(name) serves r1")
        }
        XCTAssertEqual(try nodes[0].checkpointSHA256("r1"), try nodes[2].checkpointSHA256("r1"), "c serves the very file a trained")

        // A kind of spam r1 misses, labelled on node a and corrected on node b.
        let newKind = nodes[0].hams(0..<80).map(RetrainFixture.newKindSpam)
        for text in newKind[0..<40] {
            XCTAssertEqual(try clients[0].call(["op": "label", "text": .string(text), "label": "spam"])["ok"], true)
        }
        for text in newKind[40...] {
            let classified = try clients[1].call(["op": "classify", "text": .string(text)])
            let id = try XCTUnwrap(classified["message_id"]?.intValue, "\(classified)")
            XCTAssertEqual(try clients[1].call(["op": "correct", "message_id": .int(id), "label": "spam"])["ok"], true)
        }

        // One run for the fleet: started on a, refused on c while it runs.
        let started = try clients[0].call(["op": "retrain"])
        XCTAssertNotNil(started["run_id"]?.intValue, "\(started)")
        XCTAssertEqual(try clients[2].call(["op": "retrain"])["error"]?["code"], "retrain_running", "one run at a time, fleet-wide")
        // Each node watched from the start, so that each one's swap is timed on its own.
        var servedAt: [String: Date] = [:]
        XCTAssertTrue(RetrainFixture.wait(timeout: 600, every: 20_000) {
            for (name, client) in zip(names, clients) where servedAt[name] == nil {
                if try client.call(["op": "health"])["model"] == "r2" { servedAt[name] = Date() }
            }
            return servedAt.count == names.count || servedAt.values.contains { Date().timeIntervalSince($0) > 60 }
        }, "a promotes r2: \(daemons[0].log)")
        XCTAssertEqual(servedAt.keys.sorted(), names, "every node serves r2 within a minute of the first: \(servedAt)")
        // The promotion's commit is when the trainer finished the run.
        let store = try PostgresStore(url: database.url)
        defer { store.close() }
        let committed = try XCTUnwrap(try store.trainingRun(TrainingRunID(try XCTUnwrap(started["run_id"]?.intValue)))?.finishedAt)
        for name in names {
            guard let served = servedAt[name] else { continue }
            let how = ["a": "its own run", "b": "polling every 1 s", "c": "listening, polling every 600 s"][name]!
            print("node \(name) (\(how)) served r2 \(String(format: "%.2f", served.timeIntervalSince(committed))) s after the promotion committed")
        }
        // Well within c's 10-minute poll: c heard it. b was told not to listen.
        XCTAssertLessThan(try XCTUnwrap(servedAt["c"]).timeIntervalSince(committed), 60)
        XCTAssertTrue(daemons[2].log.contains("fleet: listening for promotions"), daemons[2].log)
        XCTAssertFalse(daemons[1].log.contains("listening for promotions"), daemons[1].log)
        XCTAssertTrue(try metrics(clients[2]).contains("sift_fleet_listening 1"))
        XCTAssertTrue(try metrics(clients[1]).contains("sift_fleet_listening 0"))
        let unseen = nodes[0].hams(300..<340).map(RetrainFixture.newKindSpam)
        let caught = try unseen.filter { try clients[2].call(["op": "classify", "text": .string($0)])["label"] == "spam" }.count
        XCTAssertGreaterThan(caught, unseen.count / 2, "node c, which was given no label, catches the new kind with r2")

        // `nodes`: every node, each serving the active version.
        let listing = try clients[1].call(["op": "nodes"])
        XCTAssertEqual(listing["shared"], true)
        XCTAssertEqual(listing["node"], "b")
        XCTAssertTrue(RetrainFixture.wait(timeout: 30, every: 100_000) {
            let rows = try clients[1].call(["op": "nodes"])["nodes"]?.arrayValue ?? []
            return Set(rows.compactMap { $0["name"]?.stringValue }) == Set(names) && rows.allSatisfy { $0["serving"] == "r2" }
        }, "every node reports serving r2: \(String(describing: try? clients[1].call(["op": "nodes"])))")

        // A rollback on c reaches a and b.
        XCTAssertEqual(try clients[2].call(["op": "rollback"])["active"], "r1")
        for (name, client) in zip(names, clients) {
            XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try client.call(["op": "health"])["model"] == "r1" },
                          "node \(name) serves r1 again")
        }

        // A promotion while c is cut off from the database: c classifies on with what it has,
        // refuses labels rather than acknowledge them, and serves r2 once it reconnects.
        partition.sever()
        XCTAssertEqual(try clients[0].call(["op": "rollback", "version": "r2"])["active"], "r2")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try clients[1].call(["op": "health"])["model"] == "r2" },
                      "node b serves r2 again")
        XCTAssertNotNil(try clients[2].call(["op": "classify", "text": .string(unseen[0])])["label"], "c still classifies")
        XCTAssertEqual(try clients[2].call(["op": "label", "text": "cut off", "label": "ham"])["error"]?["code"], "store_unavailable")
        XCTAssertEqual(try clients[2].call(["op": "health"])["model"], "r1", "c cannot have heard of r2")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60) { try self.metrics(clients[2]).contains("sift_fleet_listening 0") },
                      "c knows it is not listening")
        partition.restore()
        let restored = Date()
        XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try clients[2].call(["op": "health"])["model"] == "r2" },
                      "c serves r2 after the partition: \(daemons[2].log)")
        print("node c served r2 \(String(format: "%.2f", Date().timeIntervalSince(restored))) s after its partition ended")
        XCTAssertTrue(daemons[2].log.contains("fleet: not listening for promotions"), daemons[2].log)
        XCTAssertTrue(daemons[2].log.contains("fleet: listening for promotions again"), daemons[2].log)
        XCTAssertTrue(try metrics(clients[2]).contains("sift_fleet_listening 1"))
        XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 100_000) {
            try clients[2].call(["op": "label", "text": "reconnected", "label": "ham"])["ok"] == true
        }, "c takes labels again, having reconnected by itself")

        // A promotion while a node is down: c, killed, serves the active version when it is back.
        daemons[2].signal(SIGKILL)
        _ = daemons[2].waitForExit()
        XCTAssertEqual(try clients[0].call(["op": "rollback", "version": "r1"])["active"], "r1")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try clients[1].call(["op": "health"])["model"] == "r1" },
                      "node b serves r1 again")
        daemons[2] = try nodes[2].startDaemon()
        XCTAssertEqual(try nodes[2].client().call(["op": "health"])["model"], "r1", "c, down during the promotion, serves r1 from its start")

        for daemon in daemons { daemon.signal(SIGTERM) }
        for (name, daemon) in zip(names, daemons) { XCTAssertEqual(daemon.waitForExit(), 0, "node \(name): \(daemon.log)") }
    }

    private func metrics(_ client: LineClient) throws -> String {
        try XCTUnwrap(try client.call(["op": "metrics"])["metrics"]?.stringValue)
    }
}
