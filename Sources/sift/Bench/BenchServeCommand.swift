import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import Logging
import SiftDaemon
import SiftJSON
import Synchronization

/// `sift bench serve`: the daemon's throughput and latency over its socket, next to what the
/// engine alone does with the same texts and batch size in the same run.
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Messages/s and p50/p99 latency of siftd under N concurrent clients, vs. the engine's own batched throughput.",
        discussion: """
            Starts siftd inside this process on a temporary socket and store, serving a randomly \
            initialised model of the real gpt2 (124M) shape (speed does not depend on the \
            weights' values). Then --clients connections each send one classify request at a \
            time, until --requests SMS texts have been answered. Beforehand the engine \
            classifies the same texts directly, in batches of --batch-size: the goal is for the \
            daemon to reach at least 90% of that throughput.

            --repeat-rate R makes a share R of the requests repeat a text sent at least --clients \
            requests earlier (a spam campaign, whose copies arrive after the first was answered; \
            copies in flight at once share one computation anyway); the daemon then runs twice, with its verdict cache \
            (batching.cache_entries, --cache-entries) and without, and the goal is for the cache \
            to make it at least 1.4 times as fast at R = 0.3. --workers sets batching.workers: \
            above 1, each worker runs its batches on one BLAS thread of its own.

            Texts: the distinct texts of --data (default ../shared/data/sms-spam-collection/\
            SMSSpamCollection); the tokenizer: --vocab (default ../shared/data/gpt2-tokenizer).
            """)

    @Option(help: "Concurrent client connections.")
    var clients = 64

    @Option(help: "Requests to send in all (distinct texts, unless --repeat-rate).")
    var requests = 256

    @Option(help: "Share of requests (0 to 0.99) that repeat a text sent earlier; above 0, siftd also runs without its verdict cache, to compare.")
    var repeatRate = 0.0

    @Option(help: "The daemon's batching.cache_entries (0: no verdict cache).")
    var cacheEntries = DaemonConfig().batching.cacheEntries

    @Option(help: "The daemon's batching.workers: batch workers side by side.")
    var workers = 1

    @Option(help: "The daemon's batching.max_batch_size, and the engine's batch size.")
    var batchSize = 32

    @OptionGroup var threads: ThreadsOption

    @OptionGroup var random: RandomModelOptions

    @Flag(help: "Run siftd with journal.durable: each reply waits for its prediction's fsynced commit.")
    var durable = false

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard clients >= 1, requests >= 1, batchSize >= 1, workers >= 1 else {
            throw ValidationError("--clients, --requests, --batch-size and --workers must be at least 1")
        }
        guard (0...0.99).contains(repeatRate) else { throw ValidationError("--repeat-rate must be from 0 to 0.99, not \(repeatRate)") }
        guard cacheEntries >= 0 else { throw ValidationError("--cache-entries must be 0 or more") }
    }

    func run() async throws {
        threads.apply()
        let model = try makeModel()
        var seen = Set<String>()
        let distinct = try LabeledDataReader.read(random.dataFile).map(\.text).filter { seen.insert($0).inserted }
        guard distinct.count >= requests else {
            throw ValidationError("--requests \(requests) is more than the \(distinct.count) distinct texts available")
        }
        let texts = repeatRate > 0
            ? CampaignStream.texts(distinct, count: requests, repeatRate: repeatRate, gap: clients) : Array(distinct.prefix(requests))
        let repeats = texts.count - Set(texts).count

        let engine = engineThroughput(model, texts)
        let served = try await serve(model, texts, cacheEntries: cacheEntries)
        // The same stream without the cache (in-flight repeats still share a computation).
        let uncached = repeatRate > 0 && cacheEntries > 0 ? try await serve(model, texts, cacheEntries: 0) : nil

        let ratio = served.messagesPerSecond / engine
        var figures: [(key: String, value: JSONValue)] = [
            ("model", .string("random \(random.shape)")), ("threads", .int(Int64(threads.threads))),
            // With several workers siftd runs each GEMM on its worker's one thread (batching.workers).
            ("serving_blas_threads_per_worker", .int(Int64(workers > 1 ? 1 : threads.threads))), ("clients", .int(Int64(clients))),
            ("messages", .int(Int64(texts.count))), ("batch_size", .int(Int64(batchSize))), ("durable", .bool(durable)),
            ("workers", .int(Int64(workers))), ("cache_entries", .int(Int64(cacheEntries))),
            ("repeat_rate", .double(repeatRate)), ("repeats", .int(Int64(repeats))),
            ("engine_messages_per_second", .double(engine)),
            ("served_messages_per_second", .double(served.messagesPerSecond)),
            ("served_seconds", .double(served.seconds)),
            ("latency_p50_ms", .double(served.p50 * 1000)), ("latency_p99_ms", .double(served.p99 * 1000)),
            ("ratio_to_engine", .double(ratio)), ("goal_ratio", 0.9), ("goal_met", .bool(ratio >= 0.9)),
            ("errors", .int(Int64(served.errors + (uncached?.errors ?? 0)))),
            ("peak_rss_mib", .double(CLI.peakRSSMiB())),
        ]
        let speedup = uncached.map { served.messagesPerSecond / $0.messagesPerSecond }
        if let uncached, let speedup {
            figures += [
                ("uncached_messages_per_second", .double(uncached.messagesPerSecond)),
                ("uncached_latency_p50_ms", .double(uncached.p50 * 1000)), ("uncached_latency_p99_ms", .double(uncached.p99 * 1000)),
                ("cache_speedup", .double(speedup)), ("cache_goal_speedup", 1.4), ("cache_goal_met", .bool(speedup >= 1.4)),
            ]
        }
        if json {
            CLI.printJSON(.object(figures))
            return
        }
        print(String(format: """
            serve: random %@ over a Unix socket, %d clients, %d texts (%d repeats), batches of %d, %d BLAS threads%@, %d worker%@%@
              engine alone (batched): %.1f messages/s
              siftd:                  %.1f messages/s (%.0f%% of the engine; goal ≥ 90%%: %@)
              latency: p50 %.0f ms, p99 %.0f ms; errors: %d; peak RSS %.0f MiB
            """, random.shape, clients, texts.count, repeats, batchSize, threads.threads,
            workers > 1 ? " (siftd: 1 per worker)" : "", workers, workers == 1 ? "" : "s",
            durable ? ", journal.durable" : "", engine, served.messagesPerSecond, ratio * 100,
            ratio >= 0.9 ? "met" : "NOT met", served.p50 * 1000, served.p99 * 1000, served.errors + (uncached?.errors ?? 0), CLI.peakRSSMiB()))
        if let uncached, let speedup {
            print(String(format: """
                  without the verdict cache: %.1f messages/s (p50 %.0f ms, p99 %.0f ms)
                  with it (%d entries): %.2fx as fast (goal ≥ 1.4x at a 0.3 repeat rate: %@)
                """, uncached.messagesPerSecond, uncached.p50 * 1000, uncached.p99 * 1000, cacheEntries, speedup,
                speedup >= 1.4 ? "met" : "NOT met"))
        }
    }

    private func makeModel() throws -> ServingModel {
        let weights = try GPT2Weights.random(config: random.config, seed: 1)
        let head = try Bench.randomHead(channels: weights.config.channels)
        let classifier = Classifier(model: GPT2Model(weights: weights), head: head, pooling: .last)
        let tokenizer = try BPETokenizer(directory: random.tokenizerDirectory)
        return ServingModel(version: "bench-random-\(random.shape)", classifier: classifier, tokenizer: tokenizer)
    }

    /// Messages per second of the engine on the same texts: tokenizing plus batched forward passes.
    private func engineThroughput(_ model: ServingModel, _ texts: [String]) -> Double {
        _ = model.classifier.classify(tokenIDs: texts.prefix(batchSize).map(model.tokenizer.encode))  // warm-up
        let start = Date()
        var index = 0
        while index < texts.count {
            let batch = texts[index..<min(index + batchSize, texts.count)]
            _ = model.classifier.classify(tokenIDs: batch.map(model.tokenizer.encode))
            index += batchSize
        }
        return Double(texts.count) / Date().timeIntervalSince(start)
    }

    private struct Served {
        var messagesPerSecond: Double
        var seconds: Double
        var p50: Double
        var p99: Double
        var errors: Int
    }

    private func serve(_ model: ServingModel, _ texts: [String], cacheEntries: Int) async throws -> Served {
        let directory = try Bench.makeTemporaryDirectory(prefix: "sift-bench")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var config = DaemonConfig()
        config.socket.path = directory + "/s.sock"
        config.stateDirectory = directory + "/state"
        config.batching.maxBatchSize = batchSize
        config.batching.cacheEntries = cacheEntries
        config.batching.workers = workers
        config.model.threads = threads.threads
        config.journal.durable = durable
        config.limits.maxConnections = max(clients + 8, config.limits.maxConnections)
        let quiet = Logger(label: "sift-bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = try await Daemon.start(
            config: config, options: Daemon.Options(modelSource: { _ in FixedModelSource(model) }), logger: quiet)
        let running = Task { try await daemon.run() }

        let next = Atomic<Int>(0)
        let results = Mutex<(latencies: [Double], errors: Int)>(([], 0))
        let group = DispatchGroup()
        let socket = config.socket.path
        let start = Date()
        for _ in 0..<clients {
            let thread = Thread {
                defer { group.leave() }
                guard let client = try? LineClient(socketPath: socket) else {
                    results.withLock { $0.errors += 1 }
                    return
                }
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < texts.count else { return }
                    let sent = Date()
                    let reply = try? client.call(["op": "classify", "text": .string(texts[index])])
                    let latency = Date().timeIntervalSince(sent)
                    results.withLock {
                        if reply?["message_id"] == nil { $0.errors += 1 } else { $0.latencies.append(latency) }
                    }
                }
            }
            group.enter()
            thread.start()
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let seconds = Date().timeIntervalSince(start)
        await daemon.shutdown()
        try await running.value

        let (latencies, errors) = results.withLock { $0 }
        return Served(
            messagesPerSecond: Double(latencies.count) / seconds, seconds: seconds,
            p50: Bench.percentile(latencies, 0.5), p99: Bench.percentile(latencies, 0.99), errors: errors)
    }
}
