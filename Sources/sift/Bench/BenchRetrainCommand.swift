import ArgumentParser
import FineTune
import Foundation
import GPT2
import Logging
import SiftDaemon
import SiftJSON
import SpamStore

/// `sift bench retrain`: how long an incremental retrain on N new labels takes, and what it
/// does to classification latency while it runs.
struct BenchRetrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Time of an incremental retrain on N new labels (124M shape), and classify latency p50/p99 before and during it.",
        discussion: """
            Builds a temporary state directory: a randomly initialised model of the --shape (the \
            time does not depend on the weights' values) with a random head as the serving \
            classifier, and --labels labeled SMS texts in the store (half spam, half ham). Starts \
            siftd inside this process with the real trainer (the siftd beside this sift, or \
            --siftd), measures classify latency for --baseline seconds at --rate requests/s, then \
            requests a retrain and keeps classifying at the same rate until the run has ended.

            The run is what the daemon does on its schedule: the last block trains (retrain.trainable), \
            --epochs epochs, in a child process at nice 19 / SCHED_IDLE with --trainer-threads \
            OpenBLAS threads, then the gate and the promotion.
            """)

    @Option(help: "New labels in the store.")
    var labels = 1000

    @Option(help: "Classify requests per second, one at a time on one connection.")
    var rate = 5.0

    @Option(help: "Seconds of classify traffic measured before the retrain starts.")
    var baseline = 15.0

    @Option(help: "The daemon's OpenBLAS threads (model.threads).")
    var threads = 2

    @Option(help: "The trainer's OpenBLAS threads (retrain.threads).")
    var trainerThreads = 1

    @Option(help: "Epochs of the retrain (retrain.epochs).")
    var epochs = 3

    @OptionGroup var random: RandomModelOptions

    @Option(help: "The siftd executable that trains (default: the one beside this sift).")
    var siftd: String?

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        guard labels >= 10, rate > 0, baseline >= 0, threads >= 1, trainerThreads >= 1, epochs >= 1 else {
            throw ValidationError("--labels ≥ 10; --rate > 0; --threads, --trainer-threads, --epochs ≥ 1")
        }
    }

    func run() async throws {
        let directory = try Bench.makeTemporaryDirectory(prefix: "sift-bench")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trainer = siftd.map { URL(fileURLWithPath: $0) }
            ?? TrainerLauncher.currentExecutable.deletingLastPathComponent().appendingPathComponent("siftd")
        guard FileManager.default.isExecutableFile(atPath: trainer.path) else {
            throw CLIError("no siftd at \(trainer.path) (build it, or give --siftd)")
        }

        progress("writing a random \(random.shape) model")
        let base = URL(fileURLWithPath: directory + "/base")
        try writeModel(to: base)
        let configFile = directory + "/siftd.yaml"
        try """
            socket: {path: \(directory)/s.sock}
            state_dir: \(directory)/state
            model: {base: \(base.path), threads: \(threads)}
            retrain: {enabled: false, epochs: \(epochs), threads: \(trainerThreads), replay_examples: 0}
            log: {level: warning}
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let loader = DaemonConfigLoader(file: configFile, environment: [:])
        let config = try await loader.load()
        try FileManager.default.createDirectory(atPath: config.stateDirectory, withIntermediateDirectories: true)
        try storeLabels(config)

        let logger = Logger(label: "sift-bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = try await Daemon.start(
            config: config, options: Daemon.Options(loader: loader, trainer: TrainerLauncher(executable: trainer, arguments: ["--config", configFile])),
            logger: logger)
        let running = Task { try await daemon.run() }
        let client = try LineClient(socketPath: config.socket.path)

        progress(String(format: "classifying at %.1f/s for %.0f s (baseline)", rate, baseline))
        let quiet = try classify(client, until: { $0 >= baseline })
        progress("retraining on \(labels) labels while classifying")
        let started = try client.call(["op": "retrain"])
        guard let runID = started["run_id"]?.intValue else { throw CLIError("retrain refused: \(started)") }
        let store = daemon.context.store
        let during = try classify(client, until: { _ in (try? store.trainingRun(runID))?.status != .running })
        let run = try store.trainingRun(runID)
        await daemon.shutdown()
        try await running.value

        guard let run, run.status == .succeeded, let finished = run.finishedAt else {
            throw CLIError("the run did not succeed: \(run?.error ?? "unknown")")
        }
        let report = run.metricsJSON.flatMap(RetrainReport.decode)
        let seconds = finished.timeIntervalSince(run.startedAt)
        let figures: JSONValue = [
            "model": .string("random \(random.shape)"), "labels": .int(Int64(labels)),
            "training_examples": .int(Int64(run.dataCounts?.trainingExamples ?? 0)),
            "holdout_examples": .int(Int64(run.dataCounts?.holdoutExamples ?? 0)), "epochs": .int(Int64(epochs)),
            "trainer_threads": .int(Int64(trainerThreads)), "daemon_threads": .int(Int64(threads)),
            "retrain_seconds": .double(seconds), "promoted": .bool(report?.promoted ?? false),
            "rate_per_second": .double(rate),
            "baseline_p50_ms": .double(quiet.percentile(0.5) * 1000), "baseline_p99_ms": .double(quiet.percentile(0.99) * 1000),
            "baseline_requests": .int(Int64(quiet.count)),
            "during_p50_ms": .double(during.percentile(0.5) * 1000), "during_p99_ms": .double(during.percentile(0.99) * 1000),
            "during_max_ms": .double((during.latencies.max() ?? 0) * 1000), "during_requests": .int(Int64(during.count)),
            "errors": .int(Int64(quiet.errors + during.errors)),
        ]
        if json {
            CLI.printJSON(figures)
            return
        }
        print(String(format: """
            retrain: random %@, %d labels (%d trained, %d held out), %d epochs, trainer %d thread(s) at SCHED_IDLE
              retrain time: %.1f s (%@)
              classify at %.1f/s, daemon %d threads:
                before:  p50 %.0f ms, p99 %.0f ms (%d requests)
                during:  p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d requests); errors: %d
            """, random.shape, labels, run.dataCounts?.trainingExamples ?? 0, run.dataCounts?.holdoutExamples ?? 0, epochs, trainerThreads,
            seconds, (report?.promoted ?? false) ? "promoted" : "rejected", rate, threads,
            quiet.percentile(0.5) * 1000, quiet.percentile(0.99) * 1000, quiet.count,
            during.percentile(0.5) * 1000, during.percentile(0.99) * 1000, (during.latencies.max() ?? 0) * 1000, during.count,
            quiet.errors + during.errors))
    }

    private func progress(_ line: String) {
        if !json { FileHandle.standardError.write(Data("bench retrain: \(line)\n".utf8)) }
    }

    private func writeModel(to base: URL) throws {
        let weights = try GPT2Weights.random(config: random.config, seed: 1)
        try weights.write(directory: base)
        let tokenizer = try random.tokenizerDirectory
        for name in ["encoder.json", "vocab.bpe", "vocab.json", "merges.txt"] {
            let source = tokenizer.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: source.path) {
                try FileManager.default.copyItem(at: source, to: base.appendingPathComponent(name))
            }
        }
        let head = try Bench.randomHead(channels: weights.config.channels)
        try SafeTensorsWriter.write(
            [("score.weight", head.weight), ("score.bias", head.bias)],
            metadata: [ClassifierFile.Key.labels: ClassifierFile.encodeLabels(["ham", "spam"]), ClassifierFile.Key.pooling: "last"],
            to: base.appendingPathComponent("head.safetensors"))
    }

    /// Half spam, half ham (as far as the data has them), as imported labels.
    private func storeLabels(_ config: DaemonConfig) throws {
        let rows = try LabeledDataReader.read(random.dataFile, labels: .hamSpam)
        let spam = rows.filter { $0.label == "spam" }.prefix(labels / 2)
        let ham = rows.filter { $0.label == "ham" }.prefix(labels - spam.count)
        let store = try Store(path: config.storePath)
        _ = try store.recordLabeledMessages((spam + ham).map { LabeledText(text: $0.text, label: $0.label) }, source: .import)
        try store.close()
    }

    private struct Latencies {
        var latencies: [Double] = []
        var errors = 0
        var count: Int { latencies.count }
        func percentile(_ p: Double) -> Double { Bench.percentile(latencies, p) }
    }

    /// One request every 1/rate s (the next at once if one took longer) until `done(elapsed)`.
    private func classify(_ client: LineClient, until done: (Double) -> Bool) throws -> Latencies {
        var result = Latencies()
        let start = Date()
        var index = 0
        while !done(Date().timeIntervalSince(start)) {
            let due = start.addingTimeInterval(Double(index) / rate)
            if due > Date() { Thread.sleep(until: due) }
            let sent = Date()
            let reply = try client.call(["op": "classify", "text": .string("Are we still on for lunch? message \(index)")])
            if reply["label"] == nil { result.errors += 1 } else { result.latencies.append(Date().timeIntervalSince(sent)) }
            index += 1
        }
        return result
    }
}
