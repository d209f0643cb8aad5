import Foundation
import Logging
import SiftDaemon
import SiftJSON
import SiftMail
import Synchronization

/// Messages per second classified through the SPAMC socket, as an MTA sends them (raw mail,
/// one connection per message, several at once), next to the engine alone on the same mails'
/// already-extracted texts at the same concurrency, in one in-process daemon. What the SPAMC
/// path adds is reading the mail, the socket and the protocol; the goal is ≥ 90% of the engine.
///
/// `sift bench spamc` prints it; `measure` is the reusable part.
struct SpamcThroughput {
    var model: String
    var threads: Int
    var messages: Int
    var connections: Int
    var batchSize: Int
    var engineMessagesPerSecond: Double
    var spamcMessagesPerSecond: Double
    var spamcSeconds: Double
    var spam: Int
    var errors: Int

    static let goal = 0.9
    var ratio: Double { spamcMessagesPerSecond / engineMessagesPerSecond }

    /// Starts a daemon serving `model` with a SPAMC socket, warms it up on every text, then
    /// times the engine (`Batcher.classify` on the texts) and SPAMC (`CHECK` of the raw mails).
    /// Mails without model text are left out of both.
    static func measure(model: ServingModel, mails: [[UInt8]], connections: Int, batchSize: Int, threads: Int) async throws -> SpamcThroughput {
        let readable = mails.compactMap { mail in (try? MailText.modelText(of: mail)).map { (mail: mail, text: $0) } }
        guard !readable.isEmpty else { throw CLIError("none of the \(mails.count) mails has text to classify") }
        let directory = try Bench.makeTemporaryDirectory(prefix: "sift-spamc")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var config = DaemonConfig()
        config.socket.path = directory + "/s.sock"
        let spamcSocket = DaemonConfig.Socket(path: directory + "/spamc.sock")
        config.spamc.socket = spamcSocket
        config.stateDirectory = directory + "/state"
        config.batching.maxBatchSize = batchSize
        config.model.threads = threads
        config.limits.maxConnections = max(connections + 8, config.limits.maxConnections)
        let quiet = Logger(label: "sift-bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = try await Daemon.start(config: config, options: Daemon.Options(modelSource: { _ in FixedModelSource(model) }), logger: quiet)
        let running = Task { try await daemon.run() }

        let texts = readable.map(\.text)
        _ = await engine(daemon.context.batcher, texts, concurrency: connections)  // warm-up: tokenizer caches, workspace
        let engineSeconds = await engine(daemon.context.batcher, texts, concurrency: connections)
        let served = await spamc(socket: spamcSocket.path, readable.map(\.mail), concurrency: connections)

        await daemon.shutdown()
        try await running.value
        return SpamcThroughput(
            model: model.version, threads: threads, messages: readable.count, connections: connections, batchSize: batchSize,
            engineMessagesPerSecond: Double(texts.count) / engineSeconds,
            spamcMessagesPerSecond: Double(served.answered) / served.seconds, spamcSeconds: served.seconds,
            spam: served.spam, errors: served.errors)
    }

    /// Seconds for `concurrency` tasks to classify every text, task k taking texts k, k + concurrency, ….
    private static func engine(_ batcher: Batcher, _ texts: [String], concurrency: Int) async -> Double {
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for first in 0..<concurrency {
                group.addTask {
                    for index in stride(from: first, to: texts.count, by: concurrency) {
                        _ = try? await batcher.classify(texts[index], peer: nil)
                    }
                }
            }
        }
        return (ContinuousClock.now - start) / .seconds(1)
    }

    /// `concurrency` threads, each sending one CHECK per connection (as spamc does) until every
    /// mail is answered.
    private static func spamc(socket: String, _ mails: [[UInt8]], concurrency: Int) async -> (answered: Int, spam: Int, errors: Int, seconds: Double) {
        let next = Atomic<Int>(0)
        let tally = Mutex<(answered: Int, spam: Int, errors: Int)>((0, 0, 0))
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for _ in 0..<concurrency {
            group.enter()
            Thread {
                defer { group.leave() }
                while case let index = next.add(1, ordering: .relaxed).oldValue, index < mails.count {
                    let reply = try? check(mails[index], socket: socket)
                    tally.withLock { tally in
                        if let reply, reply.hasPrefix("SPAMD/1.5 0 EX_OK\r\n") {
                            tally.answered += 1
                            if reply.contains("\r\nSpam: True ") { tally.spam += 1 }
                        } else {
                            tally.errors += 1
                        }
                    }
                }
            }.start()
        }
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let counts = tally.withLock { $0 }
        return (counts.answered, counts.spam, counts.errors, seconds)
    }

    /// One CHECK on a connection of its own: the reply's head (a CHECK reply has no body).
    private static func check(_ mail: [UInt8], socket: String) throws -> String {
        let client = try LineClient(socketPath: socket)
        try client.send(Array("CHECK SPAMC/1.5\r\nContent-length: \(mail.count)\r\n\r\n".utf8) + mail)
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = read(client.fileDescriptor, &buffer, buffer.count), count > 0 {
            reply += buffer[..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    var json: JSONValue {
        [
            "model": .string(model), "threads": .int(Int64(threads)), "messages": .int(Int64(messages)), "connections": .int(Int64(connections)), "batch_size": .int(Int64(batchSize)),
            "engine_messages_per_second": .double(engineMessagesPerSecond),
            "spamc_messages_per_second": .double(spamcMessagesPerSecond), "spamc_seconds": .double(spamcSeconds),
            "ratio_to_engine": .double(ratio), "goal_ratio": .double(Self.goal), "goal_met": .bool(ratio >= Self.goal),
            "spam": .int(Int64(spam)), "errors": .int(Int64(errors)),
        ]
    }

    var summary: String {
        String(format: """
              engine alone (Batcher.classify on extracted texts): %.1f messages/s
              SPAMC CHECK (raw mail, one connection each):        %.1f messages/s (%.0f%% of the engine; goal ≥ %.0f%%: %@)
              %d messages, %d at a time, batches of %d, model %@, %d BLAS threads; %d spam, %d errors
            """, engineMessagesPerSecond, spamcMessagesPerSecond, ratio * 100, Self.goal * 100, ratio >= Self.goal ? "met" : "NOT met",
            messages, connections, batchSize, model, threads, spam, errors)
    }
}
