import ArgumentParser
import Foundation
import SiftDaemon

/// The options that say where the configuration comes from, shared by `serve` and `train`
/// (the daemon passes them on to the trainers it starts, so both read the same settings).
struct ConfigOptions: ParsableArguments {
    @Option(help: "YAML config file.")
    var config: String?

    @Option(help: "Unix socket path (socket.path).")
    var socket: String?

    @Option(help: "A second Unix socket speaking spamd's protocol (SPAMC/1.5), for spamc and MTAs (spamc.socket).")
    var spamcSocket: String?

    @Option(help: "State directory: the SQLite store and models (state_dir).")
    var stateDir: String?

    @Option(help: "The store (store.url): a SQLite file, or postgresql://USER@/DATABASE?host=/socket/dir for a store several siftd nodes share. Default: sift.sqlite in the state directory.")
    var storeUrl: String?

    @Option(help: "Base model directory: model.safetensors, config.json, vocab.json, merges.txt (model.base).")
    var baseModel: String?

    @Option(help: "Classifier safetensors served while the registry has no active model (model.classifier).")
    var classifier: String?

    var loader: DaemonConfigLoader {
        var overrides: [String: String] = [:]
        overrides["socket.path"] = socket
        overrides["spamc.socket"] = spamcSocket
        overrides["state_dir"] = stateDir
        overrides["store.url"] = storeUrl
        overrides["model.base"] = baseModel
        overrides["model.classifier"] = classifier
        return DaemonConfigLoader(file: config, overrides: overrides)
    }

    /// The same options, as arguments for a child process.
    var arguments: [String] {
        var arguments: [String] = []
        for (flag, value) in [("--config", config), ("--socket", socket), ("--spamc-socket", spamcSocket), ("--state-dir", stateDir), ("--store-url", storeUrl),
                              ("--base-model", baseModel), ("--classifier", classifier)] {
            if let value { arguments += [flag, value] }
        }
        return arguments
    }

    /// The layered configuration; a bad value exits 78 (EX_CONFIG) with the key named.
    func load() async throws -> DaemonConfig {
        do {
            return try await loader.load()
        } catch {
            FileHandle.standardError.write(Data("siftd: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}
