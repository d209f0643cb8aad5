import ArgumentParser
import Foundation
import Logging
import SiftDaemon
import SiftJSON
import SpamStore

/// `sift bench overload`: siftd under the attacks of a local user who may connect, with what a
/// normal client sees meanwhile and the bounds the daemon keeps.
struct BenchOverloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overload",
        abstract: "siftd under a flood of 1 MiB lines and of stats (some never read): health and classify latency, RSS, watchdog, store growth, losses.",
        discussion: """
            Starts siftd inside this process (default config, a small model: --model, default \
            ../shared/golden/tiny-gpt2) with its watchdog on (WATCHDOG_USEC, pings received \
            here). For --seconds, --floods connections pipeline distinct 1 MiB classify lines \
            and --stats connections pipeline stats for 366 days (half of them never read their \
            replies), while a normal client sends health every 20 ms and a short classify every \
            50 ms. Then 301 identical 1 MiB texts are classified, and after shutdown every \
            acknowledged message id is looked up in the store.

            Goals: health p99 < 100 ms and classify p99 < 1 s during the floods; RSS growth \
            within limits.max_in_flight_bytes + journal.max_pending_mb + 64 MiB; no watchdog \
            gap longer than its interval; the 300 repeats grow the store by < 1 MB; every \
            acknowledged classify stored (zero silent losses).
            """)

    @Option(help: "Model directory (config.json, model.safetensors, tokenizer, head.safetensors).")
    var model: String?

    @Option(help: "How long the floods last, in seconds.")
    var seconds = 10

    @Option(help: "Connections flooding 1 MiB classify lines.")
    var floods = 2

    @Option(help: "Connections flooding stats (half never read).")
    var stats = 16

    @Option(help: "The watchdog interval (WATCHDOG_USEC) in milliseconds; the unit's is 30000.")
    var watchdogMs = 2000

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard seconds >= 1, floods >= 0, stats >= 0, watchdogMs >= 100 else {
            throw ValidationError("--seconds must be ≥ 1, --floods and --stats ≥ 0, --watchdog-ms ≥ 100")
        }
    }

    func run() async throws {
        let modelDirectory = try model ?? CLI.sharedDefault("golden/tiny-gpt2", option: "--model DIR").path
        guard FileManager.default.fileExists(atPath: modelDirectory + "/config.json") else {
            throw ValidationError("no model at \(modelDirectory); pass --model DIR")
        }
        let directory = try Bench.makeTemporaryDirectory(prefix: "sift-overload")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var config = DaemonConfig()
        config.socket.path = directory + "/s.sock"
        config.stateDirectory = directory + "/state"
        config.model.base = modelDirectory
        config.retrain.enabled = false
        let watchdog = try WatchdogRecorder(path: directory + "/notify.sock")
        setenv("NOTIFY_SOCKET", watchdog.path, 1)
        setenv("WATCHDOG_USEC", String(watchdogMs * 1000), 1)
        let quiet = Logger(label: "sift-bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = try await Daemon.start(config: config, logger: quiet)
        unsetenv("WATCHDOG_USEC")
        let running = Task { try await daemon.run() }
        let baselineRSS = OverloadLoad.currentRSSBytes()

        let load = OverloadLoad(socket: config.socket.path)
        load.probe(healthEvery: .milliseconds(20), classifyEvery: .milliseconds(50))
        load.floodHugeLines(connections: floods, bytes: (1 << 20) - 256)
        load.floodStats(connections: stats, readers: stats / 2)
        try await Task.sleep(for: .seconds(seconds))
        let floodEnd = ContinuousClock.now
        let watchdogGap = watchdog.longestGap(until: floodEnd)
        let pings = watchdog.count
        load.stop()
        watchdog.stop()
        unsetenv("NOTIFY_SOCKET")

        guard let sqlite = daemon.context.store as? Store else { throw ValidationError("bench overload measures the SQLite store") }
        let (textGrowth, fileGrowth) = try repeatHugeText(sqlite, socket: config.socket.path)
        await daemon.shutdown()
        try await running.value

        let totals = load.totals
        var options = Store.Options()
        options.checkIntegrityAtOpen = false
        let store = try Store(path: config.storePath, options: options)
        var lost = 0
        for id in totals.acknowledged {
            let exists = try store.messageExists(id)
            if !exists { lost += 1 }
        }
        try store.close()

        let health = load.health, classify = load.classify
        let healthP99 = Bench.percentile(health, 0.99) * 1000, classifyP99 = Bench.percentile(classify, 0.99) * 1000
        let rssGrowth = max(0, load.peakRSSBytes - baselineRSS)
        let rssBound = config.limits.maxInFlightBytes + config.journal.maxPendingBytes + (64 << 20)
        let goals: [String: Bool] = [
            "health_p99_under_100ms": !health.isEmpty && healthP99 < 100,
            "classify_p99_under_1s": !classify.isEmpty && classifyP99 < 1000,
            "rss_within_bound": rssGrowth <= rssBound,
            "no_watchdog_gap": pings > 0 && watchdogGap <= .milliseconds(watchdogMs),
            "store_growth_under_1mb": fileGrowth < 1_000_000,
            "zero_silent_losses": lost == 0,
        ]
        let figures: JSONValue = [
            "seconds": .int(Int64(seconds)), "floods": .int(Int64(floods)), "stats_connections": .int(Int64(stats)),
            "model": .string(modelDirectory),
            "health_requests": .int(Int64(health.count)), "health_p50_ms": .double(Bench.percentile(health, 0.5) * 1000),
            "health_p99_ms": .double(healthP99),
            "classify_requests": .int(Int64(classify.count)), "classify_p50_ms": .double(Bench.percentile(classify, 0.5) * 1000),
            "classify_p99_ms": .double(classifyP99),
            "flood_classified": .int(Int64(totals.classified)), "flood_overloaded": .int(Int64(totals.overloaded)),
            "other_errors": try JSONValue(encoding: totals.otherErrors),
            "rss_baseline_mib": .double(Double(baselineRSS) / 1_048_576), "rss_peak_mib": .double(Double(load.peakRSSBytes) / 1_048_576),
            "rss_bound_mib": .double(Double(rssBound) / 1_048_576),
            "watchdog_interval_ms": .int(Int64(watchdogMs)), "watchdog_pings": .int(Int64(pings)),
            "watchdog_longest_gap_ms": .double(watchdogGap.seconds * 1000),
            "repeat_text_bytes_growth": .int(Int64(textGrowth)), "repeat_store_file_growth_bytes": .int(Int64(fileGrowth)),
            "acknowledged": .int(Int64(totals.acknowledged.count)), "silent_losses": .int(Int64(lost)),
            "health_peaks": try JSONValue(encoding: load.healthPeaks),
            "goals": try JSONValue(encoding: goals), "goals_met": .bool(goals.values.allSatisfy { $0 }),
        ]
        if json {
            CLI.printJSON(figures)
            return
        }
        func mark(_ goal: String) -> String { goals[goal]! ? "met" : "NOT met" }
        print(String(format: """
            overload: %d s of %d connections flooding 1 MiB lines and %d flooding stats (half unread), small model
              health:   %d requests, p50 %.1f ms, p99 %.1f ms (goal < 100 ms: %@)
              classify: %d requests, p50 %.1f ms, p99 %.1f ms (goal < 1 s: %@)
              floods:   %d classified, %d overloaded, other errors: %@
              peaks health saw: %@
              RSS:      %.0f MiB at start, peak %.0f MiB (growth bound %.0f MiB: %@)
              watchdog: %d pings, longest gap %.0f ms of %d ms (%@)
              300 identical 1 MiB texts: text storage +%d bytes, store files +%d bytes (goal < 1 MB: %@)
              losses:   %d of %d acknowledged classify missing from the store (goal 0: %@)
            """,
            seconds, floods, stats,
            health.count, Bench.percentile(health, 0.5) * 1000, healthP99, mark("health_p99_under_100ms"),
            classify.count, Bench.percentile(classify, 0.5) * 1000, classifyP99, mark("classify_p99_under_1s"),
            totals.classified, totals.overloaded, totals.otherErrors.isEmpty ? "none" : "\(totals.otherErrors)",
            load.healthPeaks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            Double(baselineRSS) / 1_048_576, Double(load.peakRSSBytes) / 1_048_576, Double(rssBound) / 1_048_576, mark("rss_within_bound"),
            pings, watchdogGap.seconds * 1000, watchdogMs, mark("no_watchdog_gap"),
            textGrowth, fileGrowth, mark("store_growth_under_1mb"),
            lost, totals.acknowledged.count, mark("zero_silent_losses")))
    }

    /// One 1 MiB text, then the same text 300 times more: how much the store grew for the repeats.
    private func repeatHugeText(_ store: Store, socket: String) throws -> (textBytes: Int64, fileBytes: Int64) {
        let client = try LineClient(socketPath: socket)
        let text = String(repeating: "the same campaign, again and again ", count: ((1 << 20) - 64) / 35)
        func settle() throws {
            for _ in 0..<1000 where try client.call(["op": "health"])["journal_pending"] != .int(0) { usleep(10_000) }
        }
        _ = try client.call(["op": "classify", "text": .string(text)])
        try settle()
        try store.checkpoint()
        let before = try store.storageFigures()
        for _ in 0..<300 { _ = try client.call(["op": "classify", "text": .string(text)]) }
        try settle()
        try store.checkpoint()
        let after = try store.storageFigures()
        return (after.storedTextBytes - before.storedTextBytes, after.fileBytes - before.fileBytes)
    }
}
