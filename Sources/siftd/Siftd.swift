import ArgumentParser
import Foundation
import Logging
import SiftDaemon
import SiftSystemd

@main
struct Siftd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siftd",
        abstract: "The Sift spam-filter daemon: classifies messages from a Unix socket with a fine-tuned GPT-2.",
        discussion: """
            Settings come from, highest first: these options, SIFT_* environment variables \
            (SIFT_SOCKET_PATH, SIFT_STATE_DIR, SIFT_MODEL_BASE, …: the config key in capitals, \
            dots as underscores), the YAML config file (--config, else $SIFT_CONFIG, else \
            /etc/sift/siftd.yaml if present; config/siftd.yaml documents every key), and defaults.

            Signals: SIGTERM or SIGINT finish the requests already read, write pending \
            predictions, close the store and exit 0; SIGHUP reloads the config and the model \
            without dropping connections. The protocol is in docs/protocol.md.

            Exit status: 0 after a clean shutdown, 78 for an invalid configuration (the message \
            names the key), 1 for any other failure to start or run.
            """,
        version: SiftVersion.string)

    @Option(help: "YAML config file.")
    var config: String?

    @Option(help: "Unix socket path (socket.path).")
    var socket: String?

    @Option(help: "State directory: the SQLite store and models (state_dir).")
    var stateDir: String?

    @Option(help: "Base model directory: model.safetensors, config.json, vocab.json, merges.txt (model.base).")
    var baseModel: String?

    @Option(help: "Classifier safetensors served while the registry has no active model (model.classifier).")
    var classifier: String?

    func run() async throws {
        var overrides: [String: String] = [:]
        overrides["socket.path"] = socket
        overrides["state_dir"] = stateDir
        overrides["model.base"] = baseModel
        overrides["model.classifier"] = classifier
        let loader = DaemonConfigLoader(file: config, overrides: overrides)

        let settings: DaemonConfig
        do {
            settings = try await loader.load()
        } catch {
            FileHandle.standardError.write(Data("siftd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        // The journal with structured SIFT_* fields under systemd, plain stderr lines otherwise.
        SiftLogging.bootstrap(level: level)
        let logger = Logger(label: "siftd")

        let daemon: Daemon
        do {
            daemon = try await Daemon.start(config: settings, options: Daemon.Options(loader: loader, handlesSignals: true, observer: SystemdLifecycleObserver()), logger: logger)
        } catch let error as DaemonConfigError {
            FileHandle.standardError.write(Data("siftd: \(error)\n".utf8))
            throw ExitCode(78)
        } catch {
            FileHandle.standardError.write(Data("siftd: cannot start: \(error)\n".utf8))
            throw ExitCode.failure
        }
        try await daemon.run()
    }
}
