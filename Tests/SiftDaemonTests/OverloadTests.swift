import Foundation
import SiftJSON
import XCTest
@testable import SiftDaemon

/// A local user who may connect tries to stall siftd: each attack against a real daemon on
/// its socket, with the bound the daemon must keep. No test here measures time: each waits
/// for a condition and checks a count or a size.
final class OverloadTests: DaemonTestCase {
    /// Sends `lines` from a thread of its own (a pipelining client that does not wait).
    private static func sendInBackground(_ client: LineClient, _ lines: [[UInt8]]) -> Thread {
        let sender = Thread {
            for line in lines { try? client.send(line + [10]) }
        }
        sender.start()
        return sender
    }

    private static func classifyLine(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.write(["op": "classify", "text": .string(text)], into: &bytes)
        return bytes
    }

    /// Two connections pipeline 1 MiB lines far past `max_in_flight_bytes`: each is classified
    /// or refused with `overloaded` at once, never queued past the bound; what is in flight
    /// never passes it (plus the one line being admitted), and another client is still served.
    func testAFloodOfHugeLinesIsRefusedNotQueued() async throws {
        let bound = 8 << 20
        let fixture = try await start { $0.limits.maxInFlightBytes = bound }
        let lineCount = 60
        let text = String(repeating: "win a free cruise now ", count: (1 << 20) / 22 - 8)
        var floods: [(LineClient, Thread)] = []
        for flood in 0..<2 {
            let client = try fixture.connect()
            let lines = (0..<lineCount).map { Self.classifyLine("\(flood) \($0) " + text) }
            floods.append((client, Self.sendInBackground(client, lines)))
        }
        let observer = try fixture.connect()
        var largest: Int64 = 0
        var results: [String: Int] = [:]
        for (client, _) in floods {
            for _ in 0..<lineCount {
                let reply = try XCTUnwrap(try client.readReply(), "every line is answered")
                results[reply.errorCode ?? (reply["message_id"] != nil ? "classified" : "other"), default: 0] += 1
                let health = try observer.call(["op": "health"])
                largest = max(largest, health["in_flight_bytes"]?.intValue ?? 0)
            }
        }
        XCTAssertEqual(results.values.reduce(0, +), 2 * lineCount)
        XCTAssertEqual(Set(results.keys).subtracting(["classified", "overloaded"]), [], "\(results)")
        // Whether any was refused depends on how fast this machine classifies (a long text is
        // tokenized only as far as the model reads, so the daemon may well keep up); the bound
        // on what is in flight holds either way.
        XCTAssertGreaterThan(results["classified"] ?? 0, 0, "\(results)")
        XCTAssertLessThanOrEqual(Int(largest), bound + (1 << 20) + 4096, "in flight stays within max_in_flight_bytes")
        let normal = try observer.call(["op": "classify", "text": "lunch at noon?"])
        XCTAssertNotNil(normal["message_id"], "\(normal)")
    }

    /// Pipelined classify past `max_in_flight`: a read burst starts many requests before any is
    /// answered, so the excess is refused with `overloaded`; every request gets its reply, in order.
    func testPipelinedClassifyPastTheGlobalBoundIsRefusedInOrder() async throws {
        let fixture = try await start { $0.limits.maxInFlight = 16 }
        let client = try fixture.connect()
        let lines: [[UInt8]] = (0..<2000).map { i in
            var bytes: [UInt8] = []
            JSONWriter.write(["op": "classify", "text": .string("offer \(i)"), "ref": .int(Int64(i))], into: &bytes)
            return bytes
        }
        _ = Self.sendInBackground(client, lines)
        var codes: [String: Int] = [:]
        for i in 0..<2000 {
            let reply = try XCTUnwrap(try client.readReply())
            XCTAssertEqual(reply["ref"], .int(Int64(i)))
            codes[reply.errorCode ?? "classified", default: 0] += 1
        }
        XCTAssertEqual(Set(codes.keys).subtracting(["classified", "overloaded"]), [], "\(codes)")
        XCTAssertGreaterThan(codes["classified"] ?? 0, 0, "\(codes)")
        XCTAssertGreaterThan(codes["overloaded"] ?? 0, 0, "2000 pipelined requests against a bound of 16: \(codes)")
        XCTAssertEqual(try client.call(["op": "health"])["in_flight"], .int(1), "only the health request itself")
    }

    /// One uid may hold only `max_connections_per_uid` connections; root and the daemon's own
    /// user get `reserved_connections` beyond `max_connections` (these tests run as one uid).
    func testConnectionCapsPerUIDAndTheOperatorsReserve() async throws {
        let fixture = try await start {
            $0.limits.maxConnections = 2
            $0.limits.reservedConnections = 1
            $0.limits.maxConnectionsPerUID = 10
        }
        var open: [LineClient] = []
        for _ in 0..<3 {
            let client = try fixture.connect()
            XCTAssertEqual(try client.call(["op": "health"])["status"], .string("ok"), "within max_connections + the reserve")
            open.append(client)
        }
        let fourth = try fixture.connect()
        let refusal = try XCTUnwrap(try fourth.readReply())
        XCTAssertEqual(refusal.errorCode, "too_many_connections")
        XCTAssertNil(try fourth.readLine(), "closed after the error")
        open.removeAll()

        let perUID = try await DaemonFixture.start { $0.limits.maxConnectionsPerUID = 2 }
        defer { Task { try await perUID.stop() } }
        let first = try perUID.connect(), second = try perUID.connect()
        _ = try first.call(["op": "health"])
        _ = try second.call(["op": "health"])
        let third = try perUID.connect()
        let reply = try XCTUnwrap(try third.readReply())
        XCTAssertEqual(reply.errorCode, "too_many_connections")
        XCTAssertTrue(reply["error"]?["message"]?.stringValue?.contains("max_connections_per_uid") ?? false, "\(reply)")
    }

    /// A client that sends a byte now and then but never a whole request is idle.
    func testDribblingBytesDoesNotKeepAConnectionAlive() async throws {
        let fixture = try await start { $0.limits.idleTimeoutSeconds = 1 }
        let dribbler = try fixture.connect()
        let sender = Thread {
            for _ in 0..<40 {
                guard (try? dribbler.send([UInt8(ascii: " ")])) != nil else { return }
                usleep(250_000)
            }
        }
        sender.start()
        XCTAssertEqual(try dribbler.readReply()?.errorCode, "idle_timeout")
    }

    /// One uid pipelines far more requests than `max_in_flight_per_uid`: the excess gets
    /// `overloaded`, every request is answered, and health stays answerable meanwhile.
    func testPipelinedStatsPastThePerUIDBoundAreRefused() async throws {
        let fixture = try await start {
            $0.limits.maxInFlightPerUID = 64
            $0.limits.maxPendingPerConnection = 1024
        }
        let count = 1000
        var line: [UInt8] = []
        JSONWriter.write(["op": "stats", "days": 366], into: &line)
        let client = try fixture.connect()
        _ = Self.sendInBackground(client, Array(repeating: line, count: count))
        var codes: [String: Int] = [:]
        for _ in 0..<count {
            let reply = try XCTUnwrap(try client.readReply())
            codes[reply.errorCode ?? "ok", default: 0] += 1
        }
        XCTAssertEqual(Set(codes.keys).subtracting(["ok", "overloaded"]), [], "\(codes)")
        XCTAssertGreaterThan(codes["ok"] ?? 0, 0)
        XCTAssertGreaterThan(codes["overloaded"] ?? 0, 0, "1000 pipelined stats against a bound of 64: \(codes)")
    }

    /// Clients that pipeline `stats` and never read: their replies count as in flight until
    /// the kernel takes them, so the daemon stops taking their requests at the byte bound.
    func testRepliesNobodyReadsStayWithinTheByteBound() async throws {
        let bound = 1 << 20
        let fixture = try await start {
            $0.limits.maxInFlightBytes = bound
            $0.limits.maxInFlightPerUID = 100_000
            $0.limits.maxInFlight = 100_000
        }
        var line: [UInt8] = []
        JSONWriter.write(["op": "stats", "days": 366], into: &line)
        var readers: [LineClient] = []
        for _ in 0..<8 {
            let client = try fixture.connect()
            _ = Self.sendInBackground(client, Array(repeating: line, count: 2000))
            readers.append(client)
        }
        let observer = try fixture.connect()
        // Wait until the daemon has turned requests away: the bound has been reached.
        var overloaded: Double = 0
        for _ in 0..<6000 where overloaded == 0 {
            overloaded = try observer.metric("sift_overloaded_total") ?? 0
            if overloaded == 0 { usleep(10_000) }
        }
        XCTAssertGreaterThan(overloaded, 0, "16000 unread stats replies (~30 KB each) must hit a 1 MiB bound")
        for _ in 0..<20 {
            let health = try observer.call(["op": "health"])
            XCTAssertLessThanOrEqual(Int(health["in_flight_bytes"]?.intValue ?? .max), bound + 64 << 10, "\(health)")
        }
        withExtendedLifetime(readers) {}
    }
}
