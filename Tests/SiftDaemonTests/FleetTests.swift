import Foundation
import SiftDaemon
import SpamStore
import SpamStorePostgres
import TestSupport
import XCTest

/// Three real siftd processes sharing one PostgreSQL database (issue 19): the model trained on
/// one node is served by all, from the store's copy of its files; labels given on any node
/// train it; a rollback reaches every node; a node down during a promotion serves the active
/// version when it comes back; `nodes` lists them.
final class FleetTests: XCTestCase {
    func testALabelGivenOnOneNodeIsInTheModelEveryNodeServes() throws {
        let database = try PostgresTestDatabase()
        defer { database.drop() }
        let names = ["a", "b", "c"]
        let nodes = try names.map { name in
            try RetrainFixture(retrain: """
                store:
                  url: \(database.url.urlString)
                  node: \(name)
                  poll_interval: 1
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
        XCTAssertTrue(RetrainFixture.wait(timeout: 600, every: 100_000) { try clients[0].call(["op": "health"])["model"] == "r2" },
                      "a promotes and serves r2: \(daemons[0].log)")
        let promoted = Date()
        for (name, client) in zip(names, clients).dropFirst() {
            XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try client.call(["op": "health"])["model"] == "r2" },
                          "node \(name) serves r2")
            print("node \(name) served r2 \(String(format: "%.2f", Date().timeIntervalSince(promoted))) s after node a")
        }
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

        // A promotion while a node is down: c, killed, serves the active version when it is back.
        daemons[2].signal(SIGKILL)
        _ = daemons[2].waitForExit()
        XCTAssertEqual(try clients[0].call(["op": "rollback", "version": "r2"])["active"], "r2")
        XCTAssertTrue(RetrainFixture.wait(timeout: 60, every: 50_000) { try clients[1].call(["op": "health"])["model"] == "r2" },
                      "node b serves r2 again")
        daemons[2] = try nodes[2].startDaemon()
        XCTAssertEqual(try nodes[2].client().call(["op": "health"])["model"], "r2", "c, down during the promotion, serves r2 from its start")

        for daemon in daemons { daemon.signal(SIGTERM) }
        for (name, daemon) in zip(names, daemons) { XCTAssertEqual(daemon.waitForExit(), 0, "node \(name): \(daemon.log)") }
    }
}
