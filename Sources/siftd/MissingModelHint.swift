import Foundation
import SiftDaemon

/// What siftd says when it has no model to serve: where it looked, which setting moves that
/// place, and the commands that put a model there. A fresh install has none (the weights are not
/// shipped), so this is the first thing a new operator reads; it must be enough to go on.
enum MissingModelHint {
    /// Where `scripts/install` puts the base model (`model.base` empty, `state_dir` the default).
    static let installedBase = "/var/lib/sift/base"

    /// Prints `error` to stderr as "COMMAND: error", then the hint, if any, indented.
    static func report(_ error: DaemonConfigError, config: DaemonConfig, command: String) {
        let hint = lines(for: error, config: config) ?? []
        let text = (["\(command): \(error)"] + hint.map { "  " + $0 }).joined(separator: "\n") + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The lines to print after `error`, or nil when the error is not about a missing model.
    static func lines(for error: DaemonConfigError, config: DaemonConfig) -> [String]? {
        let base = config.baseModelDirectory
        switch error.key {
        case "model.base":
            var lines = [
                "siftd looked for the base model (GPT-2 in Hugging Face layout: model.safetensors, config.json,",
                "vocab.json, merges.txt) in \(base): model.base in the config file, --base-model DIR or",
                "SIFT_MODEL_BASE choose another directory (empty: base/ inside state_dir).",
                "To put GPT-2 there, from a Sift checkout:",
                "  scripts/fetch-gpt2 models/gpt2          # the public GPT-2 124M (523 MiB), sha256-checked",
            ]
            if base == installedBase {
                lines.append("  sudo scripts/install --base-model models/gpt2   # copies it to \(base), owned by sift")
            } else {
                lines.append("  mkdir -p \(base) && cp models/gpt2/{model.safetensors,config.json,vocab.json,merges.txt} \(base)/")
            }
            return lines
        case "model.classifier":
            let file = ClassifierLocation.configuredFile(config).path
            var lines = ["Or put a classifier trained by `sift train --base \(base)` at \(file)"]
            if file == installedBase + "/head.safetensors" {
                lines[0] += ": sudo scripts/install --classifier FILE"
            }
            return lines
        default:
            return nil
        }
    }
}
