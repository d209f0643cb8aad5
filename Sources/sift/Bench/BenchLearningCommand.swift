import ArgumentParser
import Checksum
import FineTune
import Foundation
import GPT2
import Logging
import SiftDaemon
import SiftJSON

/// `sift bench learning`: does the retraining loop learn a new kind of message from a few
/// hundred labels without forgetting the old kind? A reproducible domain-shift scenario.
struct BenchLearningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learning",
        abstract: "Domain shift: a model trained on SMS learns e-mail from --labels labels; accuracy before and after one retrain.",
        discussion: """
            The scenario, all in a temporary directory with the real trainer (the siftd beside this \
            sift, or --siftd): a cold start (`siftd train`) trains r1 from the base (a small random \
            GPT-2, 2 blocks × 64 wide, or --base) on the SMS Spam Collection, the seed data. siftd \
            then runs inside this process, and --labels e-mails of a kind the seed never showed \
            (SpamAssassin public corpus: spam/ and easy_ham/, files sorted by name, the first \
            --labels/2 of each class, interleaved) are sent with `label`. Two test sets are \
            classified before and after one `retrain`: the new kind (the last 200 mails of each \
            class, never labelled) and the seed holdout (the SMS texts the trainer's hash rule holds \
            out, so never trained on). Each mail is its model text (SiftMail: subject, sender, body text).

            Goals (PASS/MISS; a MISS does not change the exit status): the retrain is promoted; \
            new-kind accuracy after ≥ 93%; seed accuracy drops by at most 1 point; the whole \
            scenario takes < 180 s.

            Settings: retrain.trainable all, learning_rate 1e-3, epochs 3, threads 1 (the quick \
            start's small-model settings); --set KEY=VALUE overrides any siftd key, passed as its \
            SIFT_* environment variable to every siftd process (and written to the config file, \
            so an unknown key is an error). SIFT_* variables of this shell are ignored. The shared \
            data is read from --shared, else $SIFT_SHARED, else ../shared.
            """)

    @Option(help: "Labels sent to the daemon: half spam, half ham.")
    var labels = 400

    @Option(help: "The shared data directory (default: $SIFT_SHARED, else ../shared, else beside this build's checkout).")
    var shared: String?

    @Option(help: "An existing model directory as the base (default: a small random GPT-2, as the quick start makes).")
    var base: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A siftd setting, e.g. retrain.learning_rate=3e-4 (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    @Flag(help: "Keep the temporary directory (and print where it is).")
    var keep = false

    @Option(help: "The siftd executable that trains (default: the one beside this sift).")
    var siftd: String?

    @Flag(help: "Print one JSON object instead of a summary (progress goes to stderr).")
    var json = false

    func validate() throws {
        guard labels >= 2, labels % 2 == 0 else { throw ValidationError("--labels must be even and at least 2") }
        if let bad = settings.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw ValidationError("--set takes KEY=VALUE, not \(bad)")
        }
    }

    private var pairs: [(key: String, value: String)] {
        settings.map { setting in
            let equals = setting.firstIndex(of: "=")!  // checked by validate()
            return (String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
        }
    }

    func run() async throws {
        let began = Date()
        let shared = LearningScenario.sharedDirectory(self.shared)
        try LearningScenario.requireFiles(in: shared)
        let trainer = siftd.map { URL(fileURLWithPath: $0) }
            ?? TrainerLauncher.currentExecutable.deletingLastPathComponent().appendingPathComponent("siftd")
        guard FileManager.default.isExecutableFile(atPath: trainer.path) else {
            throw CLIError("no siftd at \(trainer.path) (build it, or give --siftd)")
        }
        // Every siftd this starts (the cold start, and the retrain through the daemon) inherits this environment.
        for key in ProcessInfo.processInfo.environment.keys where key.hasPrefix("SIFT_") { unsetenv(key) }
        var environment: [String: String] = [:]
        for (key, value) in pairs {
            environment[DaemonConfigLoader.environmentName(of: key)] = value
            setenv(DaemonConfigLoader.environmentName(of: key), value, 1)
        }

        let directory = try Bench.makeTemporaryDirectory(prefix: "sift-learn")
        defer {
            if keep { LearningScenario.progress("kept \(directory)") } else { try? FileManager.default.removeItem(atPath: directory) }
        }
        let basePath = base ?? directory + "/base"
        if base == nil {
            LearningScenario.progress("writing a random GPT-2 (2 blocks, 64 wide, 4 heads, context 128)")
            try writeTinyModel(to: URL(fileURLWithPath: basePath), tokenizer: shared.appendingPathComponent(LearningScenario.tokenizer))
        }
        let configFile = directory + "/siftd.yaml"
        let tree: [String: Any] = [
            "socket": ["path": directory + "/s.sock"], "state_dir": directory + "/state",
            "model": ["base": basePath, "classifier": directory + "/no-classifier.safetensors"],
            "retrain": ["enabled": "false", "seed_data": shared.appendingPathComponent(LearningScenario.seed).path, "trainable": "all",
                        "learning_rate": "1e-3", "epochs": "3", "threads": "1"],
            "log": ["level": "warning"],
        ]
        try LearningConfig.yaml(tree, settings: pairs).write(toFile: configFile, atomically: true, encoding: .utf8)
        let loader = DaemonConfigLoader(file: configFile, environment: environment)
        let config: DaemonConfig
        do {
            config = try await loader.load()
            _ = try config.requireBaseModelDirectory()
        } catch {
            throw CLIError("siftd's configuration: \(error)")
        }

        LearningScenario.progress("reading the mail corpus and the seed holdout")
        let scenario = try LearningScenario(shared: shared, labelCount: labels, holdoutPercent: config.retrain.holdoutPercent)
        LearningScenario.progress("cold start: siftd train")
        var clock = Date()
        try coldStart(trainer, config: configFile, log: directory + "/cold-start.log")
        let coldSeconds = Date().timeIntervalSince(clock)

        let daemon = try await Daemon.start(
            config: config, options: Daemon.Options(loader: loader, trainer: TrainerLauncher(executable: trainer, arguments: ["--config", configFile])),
            logger: Logger(label: "sift-bench") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await daemon.run() }
        var result = LearningResult(base: base ?? "random GPT-2 2×64", labels: labels, settings: pairs, coldStartSeconds: coldSeconds)
        do {
            let client = try Self.waitForHealth(socket: config.socket.path, model: nil)
            clock = Date()
            LearningScenario.progress("labelling \(scenario.labels.count) mails")
            try Self.label(client, scenario.labels)
            result.labellingSeconds = Date().timeIntervalSince(clock)
            LearningScenario.progress("classifying \(scenario.newKindTest.count) held-out mails and \(scenario.seedTest.count) seed texts (before)")
            result.newKindBefore = try LearningScore.measure(client, scenario.newKindTest)
            result.seedBefore = try LearningScore.measure(client, scenario.seedTest)
            LearningScenario.progress("retraining")
            clock = Date()
            result.retrain = try client.call(["op": "retrain", "wait": true])
            result.retrainSeconds = Date().timeIntervalSince(clock)
            guard result.retrain["error"] == nil, let runID = result.retrain["run_id"]?.intValue else {
                throw CLIError("retrain refused: \(String(decoding: JSONWriter.bytes(result.retrain), as: UTF8.self))")
            }
            result.report = try daemon.context.store.trainingRun(runID)?.metricsJSON.flatMap { try JSONParser.parse(Array($0.utf8)) }
            if let version = result.retrain["version"]?.stringValue {
                let checkpoint = URL(fileURLWithPath: config.modelsDirectory).appendingPathComponent(version).appendingPathComponent(ClassifierLocation.fileName)
                result.checkpointSHA256 = FileManager.default.fileExists(atPath: checkpoint.path) ? try SHA256.hex(contentsOf: checkpoint) : nil
                if result.promoted { _ = try Self.waitForHealth(socket: config.socket.path, model: version) }
            }
            LearningScenario.progress("classifying both test sets again (after)")
            result.newKindAfter = try LearningScore.measure(client, scenario.newKindTest)
            result.seedAfter = try LearningScore.measure(client, scenario.seedTest)
        } catch {
            await daemon.shutdown()
            try? await running.value
            throw error
        }
        await daemon.shutdown()
        try await running.value
        result.totalSeconds = Date().timeIntervalSince(began)
        if keep { result.directory = directory }
        if json {
            CLI.printJSON(result.json)
        } else {
            print(result.summary)
        }
    }

    /// What `sift init-model --layers 2 --channels 64 --heads 4 --context 128 --tokenizer DIR` writes.
    private func writeTinyModel(to directory: URL, tokenizer: URL) throws {
        var config = GPT2Config(channels: 64, layers: 2, heads: 4)
        config.contextLength = 128
        try config.validate()
        try GPT2Weights.random(config: config, seed: 1).write(directory: directory)
        for name in ["encoder.json", "vocab.bpe"] {
            try FileManager.default.copyItem(at: tokenizer.appendingPathComponent(name), to: directory.appendingPathComponent(name))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.appendingPathComponent(name).path)
        }
    }

    /// `siftd train --config FILE` with no model yet: the first model, r1. Its output goes to `log`.
    private func coldStart(_ trainer: URL, config: String, log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = trainer
        process.arguments = ["train", "--config", config]
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw CLIError("the cold start (siftd train) failed with status \(process.terminationStatus):\n\(output)")
        }
        LearningScenario.progress("cold start: \(output.split(separator: "\n").first ?? "")")
    }

    /// A client once `health` answers (and, with `model`, names that model).
    private static func waitForHealth(socket: String, model: String?, timeout: TimeInterval = 60) throws -> LineClient {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let client = try? LineClient(socketPath: socket), let reply = try? client.call(["op": "health"]),
               reply["status"] != nil, model == nil || reply["model"]?.stringValue == model {
                return client
            }
            usleep(100_000)
        }
        throw CLIError("siftd did not answer health\(model.map { " with model \($0)" } ?? "") within \(Int(timeout)) s")
    }

    /// Sends the labels, 64 in flight at a time; an error reply stops the benchmark.
    private static func label(_ client: LineClient, _ examples: [LabeledExample]) throws {
        for start in stride(from: 0, to: examples.count, by: 64) {
            let chunk = examples[start..<min(examples.count, start + 64)]
            for example in chunk { try client.send(["op": "label", "text": .string(example.text), "label": .string(example.label)]) }
            for _ in chunk {
                guard let reply = try client.readReply() else { throw CLIError("siftd closed the connection") }
                guard reply["ok"]?.boolValue == true else { throw CLIError("label failed: \(String(decoding: JSONWriter.bytes(reply), as: UTF8.self))") }
            }
        }
    }
}
