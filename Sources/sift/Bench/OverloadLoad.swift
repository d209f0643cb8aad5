import Foundation
import SiftDaemon
import SiftJSON
import Synchronization

/// The clients of `sift bench overload`: floods that try to stall siftd, and probes that
/// measure what a normal client sees meanwhile. Each runs on threads of its own until `stop`.
final class OverloadLoad: Sendable {
    struct Counts: Sendable {
        var classified = 0
        var overloaded = 0
        var otherErrors: [String: Int] = [:]
        /// Ids of every classify answered with one: all must be in the store afterwards.
        var acknowledged: [Int64] = []
    }

    let socket: String
    private let stopped = Atomic<Bool>(false)
    private let counts = Mutex(Counts())
    private let healthLatencies = Mutex<[Double]>([])
    private let classifyLatencies = Mutex<[Double]>([])
    private let peakRSS = Atomic<Int>(0)
    /// The largest `queued`, `journal_pending` and `in_flight_bytes` health reported.
    private let peaks = Mutex<[String: Int64]>([:])
    private let group = DispatchGroup()
    /// Clients that never read: their sends block once siftd stops reading them; closed at stop.
    private let nonReaders = Mutex<[Int32]>([])

    init(socket: String) { self.socket = socket }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    var totals: Counts { counts.withLock { $0 } }
    var health: [Double] { healthLatencies.withLock { $0 } }
    var classify: [Double] { classifyLatencies.withLock { $0 } }
    var peakRSSBytes: Int { peakRSS.load(ordering: .relaxed) }
    var healthPeaks: [String: Int64] { peaks.withLock { $0 } }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread { [group] in
            body()
            group.leave()
        }.start()
    }

    /// Pipelines classify lines of `bytes` bytes, each distinct, and reads the replies.
    func floodHugeLines(connections: Int, bytes: Int) {
        let filler = String(repeating: "free money claim your prize now ", count: bytes / 32)
        for connection in 0..<connections {
            guard let client = try? LineClient(socketPath: socket) else { continue }
            spawn { [self] in
                var line = 0
                while !isStopped {
                    guard (try? client.send(["op": "classify", "text": .string("\(connection)-\(line) " + filler)])) != nil else { return }
                    line += 1
                }
                client.finishSending()
            }
            spawn { [self] in read(client) }
        }
    }

    /// Pipelines `stats` for a year; `readers` of the connections read their replies, the
    /// others never do (slow readers holding replies).
    func floodStats(connections: Int, readers: Int) {
        let line = JSONWriter.bytes(["op": "stats", "days": 366]) + [10]
        let burst = Array([[UInt8]](repeating: line, count: 64).joined())
        for connection in 0..<connections {
            guard let client = try? LineClient(socketPath: socket) else { continue }
            let reads = connection < readers
            if !reads { nonReaders.withLock { $0.append(client.fileDescriptor) } }
            spawn { [self] in
                while !isStopped, (try? client.send(burst)) != nil {}
                if reads { client.finishSending() }
            }
            if reads { spawn { [self] in read(client) } }
        }
    }

    private func read(_ client: LineClient) {
        while let reply = try? client.readReply() {
            counts.withLock { counts in
                if let id = reply["message_id"], case let .int(value) = id {
                    counts.classified += 1
                    counts.acknowledged.append(value)
                } else if case let .object(error)? = reply["error"], error.first(where: { $0.key == "code" })?.value == .string("overloaded") {
                    counts.overloaded += 1
                } else if case let .object(error)? = reply["error"] {
                    let code = error.first { $0.key == "code" }.map { "\($0.value)" } ?? "?"
                    counts.otherErrors[code, default: 0] += 1
                }
            }
        }
    }

    /// A normal client: `health` every `healthEvery`, a short classify every `classifyEvery`.
    func probe(healthEvery: Duration, classifyEvery: Duration) {
        spawn { [self] in measure(every: healthEvery, into: healthLatencies) { _ in ["op": "health"] } }
        spawn { [self] in
            measure(every: classifyEvery, into: classifyLatencies) { i in ["op": "classify", "text": JSONValue.string("lunch at noon? \(i)")] }
        }
        spawn { [self] in
            while !isStopped {
                peakRSS.store(max(peakRSS.load(ordering: .relaxed), Self.currentRSSBytes()), ordering: .relaxed)
                usleep(50_000)
            }
        }
    }

    private func measure(every period: Duration, into latencies: borrowing Mutex<[Double]>, _ request: (Int) -> JSONValue) {
        guard let client = try? LineClient(socketPath: socket) else { return }
        var i = 0
        while !isStopped {
            let sent = ContinuousClock.now
            let reply = try? client.call(request(i))
            let seconds = (ContinuousClock.now - sent).seconds
            latencies.withLock { $0.append(seconds) }
            if let reply, let id = reply["message_id"], case let .int(value) = id {
                counts.withLock { $0.acknowledged.append(value) }
            }
            for key in ["queued", "journal_pending", "in_flight", "in_flight_bytes"] {
                if let reply, case let .int(value)? = reply[key] { peaks.withLock { $0[key] = max($0[key] ?? 0, value) } }
            }
            i += 1
            usleep(UInt32(max(0, (period.seconds - seconds) * 1e6)))
        }
    }

    /// Ends the floods: senders stop, clients that never read are shut down, readers finish.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        for fd in nonReaders.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
        group.wait()
    }

    /// Resident set size now, from /proc/self/statm.
    static func currentRSSBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Receives what siftd's watchdog sends (`NOTIFY_SOCKET`) and records the longest gap
/// between two `WATCHDOG=1`.
final class WatchdogRecorder: Sendable {
    let path: String
    private let fd: Int32
    private let pings = Mutex<[ContinuousClock.Instant]>([])
    private let done = Atomic<Bool>(false)

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0, SocketFile.withUnixAddress(path, { Foundation.bind(fd, $0, $1) }) == 0 else { throw CLIError("cannot bind \(path) for the watchdog") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !done.load(ordering: .relaxed) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0, String(decoding: buffer[0..<count], as: UTF8.self).contains("WATCHDOG=1") {
                    pings.withLock { $0.append(.now) }
                }
            }
        }.start()
    }

    var count: Int { pings.withLock { $0.count } }

    /// The longest time between consecutive pings, and from the last one to `end`.
    func longestGap(until end: ContinuousClock.Instant) -> Duration {
        let times = pings.withLock { $0 } + [end]
        return zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .zero
    }

    func stop() {
        done.store(true, ordering: .relaxed)
        close(fd)
    }
}

extension Duration {
    var seconds: Double { self / .seconds(1) }
}
