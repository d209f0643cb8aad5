import XCTest
@testable import SiftDaemon

final class AuthorizationPolicyTests: XCTestCase {
    private let alice = PeerCredentials(pid: 10, uid: 1000, gid: 1000, supplementaryGroups: [27, 100])

    func testReadOnlyOperationsNeedNoRule() {
        let policy = AuthorizationPolicy(allowOwnUID: false, ownUID: 0)
        for op in ["classify", "stats", "health", "models", "metrics"] {
            XCTAssertTrue(policy.allows(alice, toRun: op))
        }
        for op in AuthorizationPolicy.guardedOperations {
            XCTAssertFalse(policy.allows(alice, toRun: op))
        }
    }

    func testRulesMatchUIDPrimaryGroupOrSupplementaryGroup() {
        let policy = AuthorizationPolicy(allowOwnUID: false, ownUID: 0, rules: [
            "correct": .init(uids: [1000]),
            "label": .init(gids: [1000]),
            "forget": .init(gids: [100]),
            "retrain": .init(uids: [2000], gids: [5]),
        ])
        XCTAssertTrue(policy.allows(alice, toRun: "correct"))
        XCTAssertTrue(policy.allows(alice, toRun: "label"))
        XCTAssertTrue(policy.allows(alice, toRun: "forget"))
        XCTAssertFalse(policy.allows(alice, toRun: "retrain"))
        XCTAssertFalse(policy.allows(alice, toRun: "rollback"))
    }

    func testTheDaemonsOwnUserMayDoEverythingWhenAllowed() {
        XCTAssertTrue(AuthorizationPolicy(allowOwnUID: true, ownUID: 1000).allows(alice, toRun: "rollback"))
        XCTAssertFalse(AuthorizationPolicy(allowOwnUID: false, ownUID: 1000).allows(alice, toRun: "rollback"))
    }

    func testSupplementaryGroupsOfTheCurrentProcessAreRead() {
        let own = PeerCredentials.supplementaryGroups(of: getpid())
        var count = getgroups(0, nil)
        var groups = [gid_t](repeating: 0, count: Int(max(count, 1)))
        count = getgroups(count, &groups)
        XCTAssertEqual(Set(own), Set(groups.prefix(Int(max(count, 0)))))
        XCTAssertEqual(PeerCredentials.supplementaryGroups(of: -1), [])
    }
}
