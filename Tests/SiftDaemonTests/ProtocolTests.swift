import Foundation
import SiftJSON
import SpamStore
import XCTest
@testable import SiftDaemon

/// docs/protocol.md, end to end over a real socket.
final class ProtocolTests: XCTestCase {
    private var fixture: DaemonFixture!

    override func setUp() async throws {
        fixture = try await DaemonFixture.start { $0.limits.maxLineBytes = 4096 }
    }

    override func tearDown() async throws {
        try await fixture?.stop()
        fixture = nil
    }

    func testClassifyAnswersWithIDLabelProbabilitiesAndModel() throws {
        let client = try fixture.connect()
        let reply = try client.call(["op": "classify", "text": "WINNER!! Claim your prize now", "ref": "a1"])
        XCTAssertEqual(reply["ref"], .string("a1"))
        XCTAssertNotNil(reply["message_id"]?.intValue)
        let labels = ["ham", "spam"]
        XCTAssertTrue(labels.contains(reply["label"]?.stringValue ?? ""))
        guard case let .object(probabilities)? = reply["probabilities"] else { return XCTFail("\(reply)") }
        XCTAssertEqual(probabilities.map(\.key), labels)
        let sum = probabilities.reduce(0.0) { total, entry in
            if case let .double(p) = entry.value { return total + p }
            return total
        }
        XCTAssertEqual(sum, 1, accuracy: 1e-4)
        XCTAssertEqual(reply["model"]?.stringValue?.hasPrefix("configured-"), true)
        // At the default threshold (0.5) the verdict is the most probable label.
        let spam = try XCTUnwrap(reply["spam_probability"]?.doubleValue)
        XCTAssertEqual(reply["spam_probability"], probabilities.first { $0.key == "spam" }?.value)
        XCTAssertEqual(reply["verdict"]?.stringValue, spam >= 0.5 ? "spam" : "ham")
        XCTAssertEqual(reply["label"]?.stringValue, spam >= 0.5 ? "spam" : "ham")
    }

    func testARawLineIsClassifiedAndTheSameTextTwiceGetsTwoIDsAndOneAnswer() throws {
        let client = try fixture.connect()
        try client.send(Array("see you at six\nsee you at six\n".utf8))
        let first = try XCTUnwrap(try client.readReply())
        let second = try XCTUnwrap(try client.readReply())
        XCTAssertNil(first["ref"])
        XCTAssertNotEqual(first["message_id"], second["message_id"])
        XCTAssertEqual(first["probabilities"], second["probabilities"])
    }

    func testTheSamePredictionForATextAsTheEngineGives() throws {
        let client = try fixture.connect()
        let text = "Free entry in 2 a wkly comp to win FA Cup final tkts"
        let reply = try client.call(["op": "classify", "text": .string(text)])
        let model = fixture.daemon.context.models.current
        let expected = model.classifier.classify(tokenIDs: [model.tokenizer.encode(text)])[0]
        XCTAssertEqual(reply["label"]?.stringValue, expected.label)
        XCTAssertEqual(reply["probabilities"]?["spam"], JSONValue.number(expected.probabilities[1]))
    }

    func testCorrectLabelAndForgetAreCommittedBeforeTheReply() async throws {
        let client = try fixture.connect()
        let store = fixture.daemon.context.store
        let classified = try client.call(["op": "classify", "text": "Call now to claim"])
        let id = try XCTUnwrap(classified["message_id"]?.intValue)

        // Corrected at once: the prediction may still be in the journal.
        let corrected = try client.call(["op": "correct", "message_id": .int(id), "label": "spam", "ref": 1])
        XCTAssertEqual(corrected, .object([("ref", .int(1)), ("ok", .bool(true)), ("message_id", .int(id)), ("label", .string("spam"))]))
        XCTAssertEqual(try store.currentLabel(forMessage: id), "spam")
        XCTAssertEqual(try store.currentLabelEvent(forMessage: id)?.peerUID, getuid())
        XCTAssertEqual(try store.message(id)?.peer?.pid, getpid())

        let labeled = try client.call(["op": "label", "text": "Are we still on for lunch?", "label": "ham"])
        let labeledID = try XCTUnwrap(labeled["message_id"]?.intValue)
        XCTAssertEqual(labeled["ok"], .bool(true))
        XCTAssertEqual(try store.currentLabel(forMessage: labeledID), "ham")
        XCTAssertEqual(try store.message(labeledID)?.text, "Are we still on for lunch?")

        XCTAssertEqual(try client.call(["op": "forget", "message_id": .int(id)])["forgotten"], .bool(true))
        XCTAssertNil(try store.currentLabel(forMessage: id))
        XCTAssertEqual(try client.call(["op": "forget", "message_id": .int(id)])["forgotten"], .bool(false))
    }

    func testForgetByTextWithdrawsTheLabelsOfThatText() throws {
        let client = try fixture.connect()
        let store = fixture.daemon.context.store
        let id = try XCTUnwrap(try client.call(["op": "label", "text": "Cheap meds here", "label": "spam"])["message_id"]?.intValue)
        let reply = try client.call(["op": "forget", "text": "Cheap meds here"])
        XCTAssertEqual(reply["ok"], .bool(true))
        XCTAssertEqual(reply["forgotten"], .int(1))
        XCTAssertEqual(reply["message_ids"], .array([.int(id)]))
        XCTAssertNil(try store.currentLabel(forMessage: id))
        XCTAssertEqual(try client.call(["op": "forget", "text": "Cheap meds here"])["forgotten"], .int(0))
        XCTAssertEqual(try client.call(["op": "forget", "text": "  "])["error"]?["code"], .string("empty_text"))
    }

    func testStateChangesOnOneConnectionApplyInTheOrderSent() throws {
        let client = try fixture.connect()
        let id = try XCTUnwrap(try client.call(["op": "classify", "text": "order matters"])["message_id"]?.intValue)
        var batch: [UInt8] = []
        for label in ["spam", "ham", "spam", "ham", "spam"] {
            batch += JSONWriter.bytes(.object([("op", "correct"), ("message_id", .int(id)), ("label", .string(label))])) + [10]
        }
        batch += Array(#"{"op":"forget","message_id":\#(id)}"#.utf8) + [10]
        batch += Array(#"{"op":"correct","message_id":\#(id),"label":"ham"}"#.utf8) + [10]
        try client.send(batch)
        for _ in 0..<7 { XCTAssertNil(try client.readReply()?.errorCode) }
        let history = try fixture.daemon.context.store.labelHistory(forMessage: id).map { $0.label ?? "-" }
        XCTAssertEqual(history, ["spam", "ham", "spam", "ham", "spam", "-", "ham"])
    }

    func testStatsHealthModelsAndMetrics() throws {
        let client = try fixture.connect()
        _ = try client.call(["op": "classify", "text": "hello there"])
        let stats = try client.call(["op": "stats", "days": 3])
        guard case let .array(days)? = stats["days"] else { return XCTFail("\(stats)") }
        XCTAssertEqual(days.count, 3)
        XCTAssertNotNil(stats["online_accuracy"]?["reviewed"])
        XCTAssertNotNil(stats["new_labels"]?["total"])

        let health = try client.call(["op": "health"])
        XCTAssertEqual(health["status"], .string("ok"))
        XCTAssertEqual(health["version"], .string(SiftVersion.string))
        XCTAssertEqual(health["labels"], .array([.string("ham"), .string("spam")]))
        XCTAssertEqual(health["connections"], .int(1))
        XCTAssertEqual(health["in_flight"], .int(1), "the health request itself")

        let models = try client.call(["op": "models"])
        XCTAssertEqual(models["serving"], health["model"])
        XCTAssertEqual(models["active"], .null)
        XCTAssertEqual(models["models"], .array([]))

        let metrics = try client.call(["op": "metrics", "ref": "m"])
        XCTAssertEqual(metrics["content_type"], .string("text/plain; version=0.0.4"))
        let text = try XCTUnwrap(metrics["metrics"]?.stringValue)
        XCTAssertTrue(text.contains("# TYPE sift_requests_total counter"), text)
        XCTAssertTrue(text.contains("sift_requests_total{op=\"classify\"} 1"), text)
        XCTAssertTrue(text.contains("sift_classify_latency_seconds_bucket"), text)
    }

    /// Every kind of bad input gets its error code, with the ref when there is one, and the
    /// connection goes on answering.
    func testBadInputGetsStableErrorCodesAndTheConnectionStaysUsable() throws {
        let client = try fixture.connect()
        let cases: [(line: [UInt8], code: String, ref: JSONValue?)] = [
            (Array("{not json\n".utf8), "malformed_json", nil),
            (Array("{\"op\":\"classify\",\"text\":\"a\",}\n".utf8), "malformed_json", nil),
            (Array("{\"op\":\"frobnicate\",\"ref\":1}\n".utf8), "unknown_op", .int(1)),
            (Array("{\"ref\":2}\n".utf8), "missing_field", .int(2)),
            (Array("{\"op\":\"classify\",\"ref\":3}\n".utf8), "missing_field", .int(3)),
            (Array("{\"op\":\"classify\",\"text\":42,\"ref\":4}\n".utf8), "wrong_type", .int(4)),
            (Array("{\"op\":\"correct\",\"message_id\":\"1\",\"label\":\"ham\",\"ref\":5}\n".utf8), "wrong_type", .int(5)),
            (Array("{\"op\":\"correct\",\"message_id\":1.5,\"label\":\"ham\",\"ref\":6}\n".utf8), "wrong_type", .int(6)),
            (Array("{\"op\":\"correct\",\"message_id\":-1,\"label\":\"ham\",\"ref\":7}\n".utf8), "invalid_value", .int(7)),
            (Array("{\"op\":\"correct\",\"message_id\":1,\"label\":\"maybe\",\"ref\":8}\n".utf8), "unknown_label", .int(8)),
            (Array("{\"op\":\"label\",\"text\":\"x\",\"label\":\"Spam\",\"ref\":9}\n".utf8), "unknown_label", .int(9)),
            (Array("{\"op\":\"classify\",\"text\":\"\",\"ref\":10}\n".utf8), "empty_text", .int(10)),
            (Array("{\"op\":\"classify\",\"text\":\" \\n\\t \",\"ref\":11}\n".utf8), "empty_text", .int(11)),
            (Array("\n".utf8), "empty_text", nil),
            ([0x68, 0x69, 0xC0, 0xAF, 0x0A], "invalid_utf8", nil),
            (Array("{\"op\":\"classify\",\"text\":\"".utf8) + [0xFF] + Array("\"}\n".utf8), "invalid_utf8", nil),
            (Array(String(repeating: "x", count: 10_000).utf8) + [0x0A], "line_too_long", nil),
            (Array("{\"op\":\"correct\",\"message_id\":999999999,\"label\":\"ham\",\"ref\":12}\n".utf8), "unknown_message_id", .int(12)),
            (Array("{\"op\":\"forget\",\"message_id\":999999999,\"ref\":13}\n".utf8), "unknown_message_id", .int(13)),
            (Array("{\"op\":\"stats\",\"days\":0,\"ref\":14}\n".utf8), "invalid_value", .int(14)),
            (Array("{\"op\":\"explode\",\"ref\":15}\n".utf8), "unknown_op", .int(15)),
            // This in-process daemon has no trainer executable: retrain is refused, and says why.
            (Array("{\"op\":\"retrain\",\"ref\":16}\n".utf8), "retrain_unavailable", .int(16)),
            (Array("{\"op\":\"retrain\",\"wait\":1,\"ref\":17}\n".utf8), "wrong_type", .int(17)),
            (Array("{\"op\":\"rollback\",\"ref\":18}\n".utf8), "unknown_model", .int(18)),
            (Array("[1,2]\n".utf8), "", nil),  // not starting with '{': a text to classify
        ]
        for (line, code, ref) in cases {
            try client.send(line)
            let reply = try XCTUnwrap(try client.readReply())
            if code.isEmpty {
                XCTAssertNotNil(reply["message_id"], "\(reply)")
            } else {
                XCTAssertEqual(reply.errorCode, code, "\(String(decoding: line.prefix(80), as: UTF8.self)) → \(reply)")
                XCTAssertEqual(reply["ref"], ref, "\(reply)")
                XCTAssertNotNil(reply["error"]?["message"]?.stringValue)
            }
            XCTAssertEqual(try client.call(["op": "health"])["status"], .string("ok"), "usable after \(code)")
        }
    }

    func testATooLongLineArrivingInPiecesIsDiscardedThroughItsNewline() throws {
        let client = try fixture.connect()
        let piece = Array(String(repeating: "y", count: 3000).utf8)
        for _ in 0..<10 { try client.send(piece) }  // 30 KB, limit 4 KiB
        try client.send(Array("{\"op\":\"health\",\"ref\":\"still part of the long line\"}\n{\"op\":\"health\",\"ref\":\"next\"}\n".utf8))
        XCTAssertEqual(try client.readReply()?.errorCode, "line_too_long")
        XCTAssertEqual(try client.readReply()?["ref"], .string("next"))
    }

    func testAHalfClosedConnectionGetsEveryAnswerThenEOF() throws {
        let client = try fixture.connect()
        try client.send(Array("one\ntwo\n{\"op\":\"health\"}\nthree without newline".utf8))
        client.finishSending()
        var replies: [JSONValue] = []
        while let reply = try client.readReply() { replies.append(reply) }
        XCTAssertEqual(replies.count, 4)
        XCTAssertNotNil(replies[3]["message_id"])
    }
}
