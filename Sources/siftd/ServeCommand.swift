import ArgumentParser
import Foundation
import GPT2
import Logging
import SiftDaemon
import SiftSystemd

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon (the default when no subcommand is given).",
        discussion: """
            Settings come from, highest first: these options, SIFT_* environment variables \
            (SIFT_SOCKET_PATH, SIFT_STATE_DIR, SIFT_MODEL_BASE, …: the config key in capitals, \
            dots as underscores), the YAML config file (--config, else $SIFT_CONFIG, else \
            /etc/sift/siftd.yaml if present; config/siftd.yaml documents every key), and defaults.

            Signals: SIGTERM or SIGINT finish the requests already read, write pending \
            predictions, stop a running trainer, close the store and exit 0; SIGHUP reloads the \
            config and the model without dropping connections. The protocol is in docs/protocol.md.

            Retraining: on its schedule (retrain.*) or on request (`sift retrain`), the daemon \
            runs `siftd train` as a child process at idle priority and swaps in the model it \
            promotes, between batches.

            Exit status: 0 after a clean shutdown (also for SIGTERM during start-up), 78 for an \
            invalid configuration (the message names the key), a missing model (the message says \
            where siftd looked and how to put one there) or a model file that cannot be loaded, 1 for any other failure to start or run.
            """)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try await options.load()
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        // The journal with structured SIFT_* fields under systemd, plain stderr lines otherwise.
        SiftLogging.bootstrap(level: level)
        let logger = Logger(label: "siftd")

        let trainer = TrainerLauncher(executable: TrainerLauncher.currentExecutable, arguments: options.arguments)
        let daemon: Daemon
        do {
            daemon = try await Daemon.start(
                config: settings,
                options: Daemon.Options(loader: options.loader, handlesSignals: true, observer: SystemdLifecycleObserver(), trainer: trainer),
                logger: logger)
        } catch let error as DaemonConfigError {
            MissingModelHint.report(error, config: settings, command: "siftd")
            throw ExitCode(78)
        } catch let error as GPT2Error {
            // A model file that is there but cut off or corrupt: restarting cannot mend it, so
            // 78 (RestartPreventExitStatus) rather than a restart loop.
            FileHandle.standardError.write(Data(("siftd: cannot load the model: \(error)\n"
                + "  Fetch or copy it again (scripts/fetch-gpt2 checks its sha256), or point model.base elsewhere.\n").utf8))
            throw ExitCode(78)
        } catch {
            FileHandle.standardError.write(Data("siftd: cannot start: \(error)\n".utf8))
            throw ExitCode.failure
        }
        try await daemon.run()
    }
}
