import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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

    func testPeerGroupListsEndWhereTheZeroPaddingStarts() {
        typealias Buffer = PeerCredentials.GroupBuffer
        XCTAssertEqual(Buffer.groups(fromZeroPadded: [27, 100, 1000, 0, 0]), [27, 100, 1000])
        XCTAssertEqual(Buffer.groups(fromZeroPadded: [0, 27, 100, 0, 0]), [0, 27, 100])
        XCTAssertEqual(Buffer.groups(fromZeroPadded: [0, 0, 0]), [], "a lone gid 0 cannot be told from padding: left out (deny, never allow)")
        XCTAssertEqual(Buffer.groups(fromZeroPadded: [5]), [5])
    }

    /// SO_PEERGROUPS on a real connection: the peer's supplementary groups are this process's.
    func testSupplementaryGroupsOfAConnectedPeerComeFromTheKernel() async throws {
        let directory = try ShortTemporaryDirectory()
        let path = directory.file("groups.sock")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = NIOLockedValueBox<PeerCredentials?>(nil)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                PeerCredentials.of(channel).map { peer in seen.withLockedValue { $0 = peer } }
            }
            .bind(unixDomainSocketPath: path).get()
        let client = try LineClient(socketPath: path)
        for _ in 0..<500 where seen.withLockedValue({ $0 }) == nil { usleep(10_000) }
        var count = getgroups(0, nil)
        var groups = [gid_t](repeating: 0, count: Int(max(count, 1)))
        count = getgroups(count, &groups)
        let own = Set(groups.prefix(Int(max(count, 0))))
        let peer = try XCTUnwrap(seen.withLockedValue { $0 })
        XCTAssertEqual(peer.uid, getuid())
        XCTAssertEqual(peer.pid, getpid())
        XCTAssertEqual(Set(peer.supplementaryGroups), own.count == 1 && own.first == 0 ? [] : own)
        withExtendedLifetime(client) {}
        try await server.close()
        try await group.shutdownGracefully()
    }
}
