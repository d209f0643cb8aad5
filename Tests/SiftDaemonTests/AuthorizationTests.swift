import Foundation
import SiftJSON
import XCTest
@testable import SiftDaemon

/// Authorization over a real socket: the peer is this test process, seen through SO_PEERCRED.
final class AuthorizationTests: XCTestCase {
    func testGuardedOperationsNeedARuleAndClassifyDoesNot() async throws {
        let fixture = try await DaemonFixture.start { $0.authorization = AuthorizationPolicy(allowOwnUID: false) }
        let client = try fixture.connect()
        let id = try XCTUnwrap(try client.call(["op": "classify", "text": "anyone may classify"])["message_id"]?.intValue)
        for request: JSONValue in [
            ["op": "correct", "message_id": .int(id), "label": "spam", "ref": "c"],
            ["op": "label", "text": "x", "label": "ham", "ref": "l"],
            ["op": "forget", "message_id": .int(id), "ref": "f"],
        ] {
            let reply = try client.call(request)
            XCTAssertEqual(reply.errorCode, "not_authorized", "\(reply)")
            XCTAssertEqual(reply["ref"], request["ref"])
        }
        XCTAssertNil(try fixture.daemon.context.store.currentLabel(forMessage: id))
        XCTAssertEqual(try client.call(["op": "stats"])["error"], nil)
        try await fixture.stop()
    }

    func testRulesByUIDAndByGroupAdmitThePeer() async throws {
        let fixture = try await DaemonFixture.start {
            $0.authorization = AuthorizationPolicy(allowOwnUID: false, rules: [
                "correct": .init(uids: [getuid()]),
                "label": .init(gids: [getgid()]),
            ])
        }
        let client = try fixture.connect()
        let id = try XCTUnwrap(try client.call(["op": "classify", "text": "hello"])["message_id"]?.intValue)
        XCTAssertEqual(try client.call(["op": "correct", "message_id": .int(id), "label": "ham"])["ok"], .bool(true))
        XCTAssertEqual(try client.call(["op": "label", "text": "hi", "label": "ham"])["ok"], .bool(true))
        XCTAssertEqual(try client.call(["op": "forget", "message_id": .int(id)]).errorCode, "not_authorized")
        try await fixture.stop()
    }
}
