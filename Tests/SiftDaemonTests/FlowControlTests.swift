import Foundation
import SiftJSON
import XCTest
@testable import SiftDaemon

/// Many requests, many clients, slow clients: ordering, limits and bounded memory.
final class FlowControlTests: DaemonTestCase {
    /// Sends `requests` from another thread while the caller reads, as a pipelining client must.
    private static func pipeline(_ client: LineClient, _ requests: [JSONValue]) throws -> [JSONValue] {
        let sender = Thread {
            var bytes: [UInt8] = []
            for request in requests {
                JSONWriter.write(request, into: &bytes)
                bytes.append(10)
                if bytes.count > 1 << 16 {
                    try? client.send(bytes)
                    bytes.removeAll(keepingCapacity: true)
                }
            }
            try? client.send(bytes)
        }
        sender.start()
        var replies: [JSONValue] = []
        for _ in requests {
            guard let reply = try client.readReply() else { break }
            replies.append(reply)
        }
        return replies
    }

    func testTenThousandPipelinedRequestsOnOneConnectionAreAnsweredInOrder() async throws {
        let fixture = try await start()
        let client = try fixture.connect()
        let requests: [JSONValue] = (0..<10_000).map { i in
            i % 100 == 99 ? ["op": "health", "ref": .int(Int64(i))] : ["op": "classify", "text": .string("message number \(i % 2000)"), "ref": .int(Int64(i))]
        }
        let replies = try Self.pipeline(client, requests)
        XCTAssertEqual(replies.count, 10_000)
        XCTAssertEqual(replies.map { $0["ref"] }, requests.map { $0["ref"] })
        let ids = replies.compactMap { $0["message_id"]?.intValue }
        XCTAssertEqual(ids.count, 9_900)
        XCTAssertEqual(Set(ids).count, 9_900, "every classified message has its own id")
        XCTAssertTrue(replies.allSatisfy { $0.errorCode == nil })
    }

    func testSixtyFourConcurrentClients() async throws {
        let fixture = try await start()
        let clients = 64
        let perClient = 40
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: clients) { c in
            do {
                let client = try fixture.connect()
                let requests: [JSONValue] = (0..<perClient).map { i in
                    ["op": "classify", "text": .string("client \(c) says \(i % 10)"), "ref": .string("\(c)-\(i)")]
                }
                let replies = try Self.pipeline(client, requests)
                results.add(refs: replies.map { $0["ref"] } == requests.map { $0["ref"] }, ids: replies.compactMap { $0["message_id"]?.intValue })
            } catch {
                results.fail("\(error)")
            }
        }
        XCTAssertEqual(results.failures, [])
        XCTAssertEqual(results.inOrder, clients)
        XCTAssertEqual(results.ids.count, clients * perClient)
        XCTAssertEqual(Set(results.ids).count, clients * perClient)
    }

    /// A client that sends and never reads stalls only itself: the daemon stops reading from it
    /// with at most max_pending_per_connection requests in flight, and serves others meanwhile.
    func testAClientThatStopsReadingIsHeldBackWithBoundedMemory() async throws {
        let maxPending = 32
        let fixture = try await start { $0.limits.maxPendingPerConnection = maxPending }
        let greedy = try fixture.connect()
        let flags = fcntl(greedy.fileDescriptor, F_GETFL)
        _ = fcntl(greedy.fileDescriptor, F_SETFL, flags | O_NONBLOCK)

        // Write until the kernel buffers on both sides are full and the daemon has stopped reading.
        let line = Array(#"{"op":"classify","text":"a message the sender will not wait for"}"#.utf8) + [10]
        var sent = 0
        var unsent: [UInt8] = []  // the tail of a line the socket took only part of
        var stalledSince: Date?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let written = line.withUnsafeBytes { send(greedy.fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written == line.count {
                sent += 1
                stalledSince = nil
            } else if written > 0 {
                unsent = Array(line[written...])
                sent += 1
                break
            } else {
                XCTAssertTrue(errno == EAGAIN || errno == EWOULDBLOCK, "send failed: \(String(cString: strerror(errno)))")
                if let since = stalledSince, Date().timeIntervalSince(since) > 1 { break }
                stalledSince = stalledSince ?? Date()
                usleep(10_000)
            }
        }
        XCTAssertGreaterThan(sent, 20 * maxPending, "the socket buffers should hold far more than the daemon takes")

        let observer = try fixture.connect()
        for _ in 0..<3 {
            let health = try observer.call(["op": "health"])
            let inFlight = try XCTUnwrap(health["in_flight"]?.intValue)
            XCTAssertLessThanOrEqual(inFlight, Int64(maxPending + 1), "requests held by the daemon: \(health)")
            // Others are served as usual.
            XCTAssertNotNil(try observer.call(["op": "classify", "text": "business as usual"])["message_id"])
            usleep(100_000)
        }

        // Once the greedy client reads, everything it sent is answered, in order.
        _ = fcntl(greedy.fileDescriptor, F_SETFL, flags)
        if !unsent.isEmpty {
            let rest = unsent
            Thread { try? greedy.send(rest) }.start()  // completes once the daemon reads again
        }
        var answered = 0
        while answered < sent, let reply = try greedy.readReply() {
            XCTAssertNotNil(reply["message_id"], "\(reply)")
            answered += 1
        }
        XCTAssertEqual(answered, sent)
    }

    func testConnectionsOverTheLimitAreToldAndClosed() async throws {
        let fixture = try await start {
            $0.limits.maxConnections = 2
            $0.limits.reservedConnections = 0
        }
        let first = try fixture.connect()
        let second = try fixture.connect()
        // An answer means the daemon has accepted (and counted) that connection.
        _ = try first.call(["op": "health"])
        XCTAssertEqual(try second.call(["op": "health"])["connections"], .int(2))
        let third = try fixture.connect()
        XCTAssertEqual(try third.readReply()?.errorCode, "too_many_connections")
        XCTAssertNil(try third.readLine(), "closed after the error")
        XCTAssertEqual(try first.call(["op": "health"])["status"], .string("ok"))
        // Counted like every other error reply.
        XCTAssertEqual(try first.metric(#"sift_errors_total{code="too_many_connections"}"#), 1)
    }

    func testIdleConnectionsAreClosedAndBusyOnesAreNot() async throws {
        let fixture = try await start { $0.limits.idleTimeoutSeconds = 2 }
        let idle = try fixture.connect()
        let busy = try fixture.connect()
        for _ in 0..<15 {  // 3 s of traffic, each gap a tenth of the timeout
            XCTAssertEqual(try busy.call(["op": "health"])["status"], .string("ok"))
            usleep(200_000)
        }
        XCTAssertEqual(try idle.readReply()?.errorCode, "idle_timeout")
        XCTAssertNil(try idle.readLine())
    }
}

/// Results gathered from concurrent client threads.
private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int64] = []
    private(set) var inOrder = 0
    private(set) var failures: [String] = []

    func add(refs inOrder: Bool, ids more: [Int64]) {
        lock.lock()
        defer { lock.unlock() }
        if inOrder { self.inOrder += 1 }
        ids += more
    }

    func fail(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        failures.append(message)
    }
}
