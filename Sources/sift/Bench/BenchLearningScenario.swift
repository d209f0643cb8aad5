import Checksum
import FineTune
import Foundation
import SiftDaemon
import SiftJSON
import SiftMail
import SpamStore

/// The data of `sift bench learning` and how it is scored through the daemon.
struct LearningScenario {
    /// Labels sent to the daemon: the first of each class in file order, spam and ham interleaved.
    var labels: [LabeledExample] = []
    /// The last ``testPerClass`` mails of each class: never labelled.
    var newKindTest: [LabeledExample] = []
    /// The seed texts in the hash holdout (never trained on), each distinct text once.
    var seedTest: [LabeledExample] = []

    static let testPerClass = 200
    static let corpus = "data/spamassassin-public-corpus"
    static let seed = "data/sms-spam-collection/SMSSpamCollection"
    static let tokenizer = "data/gpt2-tokenizer"

    /// Progress, on stderr whatever the output format.
    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("bench learning: \(line)\n".utf8))
    }

    /// `--shared`, else `$SIFT_SHARED`, else `./../shared`, else `../shared` beside the checkout
    /// this executable was built in (the nearest directory above it with a Package.swift).
    static func sharedDirectory(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = ProcessInfo.processInfo.environment["SIFT_SHARED"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let besideCurrent = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).deletingLastPathComponent().appendingPathComponent("shared")
        if FileManager.default.fileExists(atPath: besideCurrent.path) { return besideCurrent }
        var directory = TrainerLauncher.currentExecutable.deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.deletingLastPathComponent().appendingPathComponent("shared")
            }
            directory = directory.deletingLastPathComponent()
        }
        return besideCurrent
    }

    /// Every file the scenario reads, or an error naming the first one missing.
    static func requireFiles(in shared: URL) throws {
        for path in [corpus + "/spam", corpus + "/easy_ham", seed, tokenizer + "/encoder.json", tokenizer + "/vocab.bpe"] {
            let url = shared.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CLIError("missing shared data: \(url.path) (give --shared DIR or set SIFT_SHARED)")
            }
        }
    }

    init(shared: URL, labelCount: Int, holdoutPercent: Int) throws {
        let spam = try Self.mails(shared.appendingPathComponent(Self.corpus + "/spam"), label: "spam")
        let ham = try Self.mails(shared.appendingPathComponent(Self.corpus + "/easy_ham"), label: "ham")
        let perClass = labelCount / 2
        for (name, mails) in [("spam", spam), ("ham", ham)] where perClass + Self.testPerClass > mails.count {
            throw CLIError("--labels \(labelCount) needs \(perClass) + \(Self.testPerClass) held-out \(name) mails; the corpus has \(mails.count) "
                           + "(at most --labels \(2 * (min(spam.count, ham.count) - Self.testPerClass)))")
        }
        labels = (0..<perClass).flatMap { [spam[$0], ham[$0]] }
        newKindTest = Array(spam.suffix(Self.testPerClass) + ham.suffix(Self.testPerClass))
        let labelled = Set(labels.map(\.text))
        let repeated = newKindTest.filter { labelled.contains($0.text) }.count
        if repeated > 0 { Self.progress("note: \(repeated) held-out mail(s) have the same subject and body as a labelled one (upstream duplicates)") }

        var seen = Set<String>()
        for example in try LabeledDataReader.read(shared.appendingPathComponent(Self.seed), labels: .hamSpam) {
            let hash = SHA256.hex(example.text)
            if seen.insert(hash).inserted, Holdout.isHoldout(sha256Hex: hash, percent: holdoutPercent) { seedTest.append(example) }
        }
    }

    /// The mails of one folder (upstream names start with a digit; `cmds` and the like are not
    /// mail), sorted by name, each as its model text (SiftMail).
    private static func mails(_ folder: URL, label: String) throws -> [LabeledExample] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.first?.isNumber == true }.sorted()
        return try names.map { name in
            let raw = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            return LabeledExample(text: try MailText.modelText(of: raw), label: label)
        }
    }
}

/// Accuracy of the serving model on one test set, and which model answered.
struct LearningScore {
    var accuracy = 0.0
    /// The mean of the per-label recalls.
    var balancedAccuracy = 0.0
    var count = 0
    var models: [String] = []

    /// Classifies `examples` through the daemon, `window` requests in flight at a time.
    static func measure(_ client: LineClient, _ examples: [LabeledExample], window: Int = 64) throws -> LearningScore {
        var correct: [String: (right: Int, total: Int)] = [:]
        var models = Set<String>()
        for start in stride(from: 0, to: examples.count, by: window) {
            let chunk = examples[start..<min(examples.count, start + window)]
            for example in chunk { try client.send(["op": "classify", "text": .string(example.text)]) }
            for example in chunk {
                guard let reply = try client.readReply() else { throw CLIError("siftd closed the connection") }
                guard let label = reply["label"]?.stringValue else { throw CLIError("classify failed: \(String(decoding: JSONWriter.bytes(reply), as: UTF8.self))") }
                if let model = reply["model"]?.stringValue { models.insert(model) }
                let previous = correct[example.label] ?? (0, 0)
                correct[example.label] = (previous.right + (label == example.label ? 1 : 0), previous.total + 1)
            }
        }
        let right = correct.values.map(\.right).reduce(0, +)
        let recalls = correct.values.map { Double($0.right) / Double($0.total) }
        return LearningScore(
            accuracy: examples.isEmpty ? 0 : Double(right) / Double(examples.count),
            balancedAccuracy: recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count), count: examples.count, models: models.sorted())
    }
}

/// The siftd config of the scenario as YAML: `tree` with each `--set key=value` merged in.
/// The settings go into the file too (besides the environment), so siftd's check of the file's
/// keys rejects one it does not know instead of silently ignoring its environment variable.
enum LearningConfig {
    static func yaml(_ tree: [String: Any], settings: [(key: String, value: String)]) -> String {
        var tree = tree
        for (key, value) in settings { set(key.split(separator: ".").map(String.init), to: value, in: &tree) }
        return lines(tree, indent: "").joined(separator: "\n") + "\n"
    }

    private static func set(_ path: [String], to value: String, in tree: inout [String: Any]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            tree[first] = value
        } else {
            var child = tree[first] as? [String: Any] ?? [:]
            set(Array(path.dropFirst()), to: value, in: &child)
            tree[first] = child
        }
    }

    private static func lines(_ tree: [String: Any], indent: String) -> [String] {
        tree.keys.sorted().flatMap { key -> [String] in
            if let child = tree[key] as? [String: Any] { return ["\(indent)\(key):"] + lines(child, indent: indent + "  ") }
            let text = "\(tree[key]!)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ["\(indent)\(key): \"\(text)\""]
        }
    }
}


/// What one run of the scenario measured, and its two outputs.
struct LearningResult {
    var base: String
    var labels: Int
    var settings: [(key: String, value: String)]
    var coldStartSeconds = 0.0, labellingSeconds = 0.0, retrainSeconds = 0.0, totalSeconds = 0.0
    var newKindBefore = LearningScore(), newKindAfter = LearningScore(), seedBefore = LearningScore(), seedAfter = LearningScore()
    /// The daemon's reply to `{"op":"retrain","wait":true}`.
    var retrain: JSONValue = [:]
    /// The run's report (metrics JSON) as the store has it.
    var report: JSONValue?
    var checkpointSHA256: String?
    /// The temporary directory, when kept.
    var directory: String?

    var promoted: Bool { retrain["promoted"]?.boolValue ?? false }
    var reasons: [String] { retrain["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    var goals: [(key: String, words: String, met: Bool)] {
        [
            ("promoted", "the retrain is promoted", promoted),
            ("new_kind_accuracy", String(format: "new-kind held-out accuracy ≥ 93%% (%.1f%%)", newKindAfter.accuracy * 100), newKindAfter.accuracy >= 0.93),
            ("seed_accuracy_drop", String(format: "seed accuracy drops ≤ 1 point (%+.1f)", (seedAfter.accuracy - seedBefore.accuracy) * 100),
             seedBefore.accuracy - seedAfter.accuracy <= 0.01 + 1e-9),
            ("total_seconds", String(format: "whole scenario < 180 s (%.0f s)", totalSeconds), totalSeconds < 180),
        ]
    }

    var json: JSONValue {
        func strings(_ texts: [String]) -> JSONValue { .array(texts.map(JSONValue.string)) }
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        var object: [(key: String, value: JSONValue)] = [
            ("base", .string(base)), ("labels", .int(Int64(labels))),
            ("settings", .object(Dictionary(settings.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }).map { ($0.key, .string($0.value)) })),
            ("new_kind_test_count", .int(Int64(newKindAfter.count))), ("seed_test_count", .int(Int64(seedAfter.count))),
            ("new_kind_accuracy_before", .double(newKindBefore.accuracy)), ("new_kind_accuracy_after", .double(newKindAfter.accuracy)),
            ("new_kind_balanced_accuracy_before", .double(newKindBefore.balancedAccuracy)),
            ("new_kind_balanced_accuracy_after", .double(newKindAfter.balancedAccuracy)),
            ("seed_accuracy_before", .double(seedBefore.accuracy)), ("seed_accuracy_after", .double(seedAfter.accuracy)),
            ("seed_balanced_accuracy_before", .double(seedBefore.balancedAccuracy)),
            ("seed_balanced_accuracy_after", .double(seedAfter.balancedAccuracy)),
            ("models_before", strings(newKindBefore.models)), ("models_after", strings(newKindAfter.models)),
            ("promoted", .bool(promoted)), ("reasons", strings(reasons)),
            ("decision", retrain["decision"] ?? .null), ("report", report ?? .null),
            ("retrain_status", optional(retrain["status"]?.stringValue)), ("version", optional(retrain["version"]?.stringValue)),
            ("seconds_cold_start", .double(coldStartSeconds)), ("seconds_labelling", .double(labellingSeconds)),
            ("seconds_retrain", .double(retrainSeconds)), ("seconds_total", .double(totalSeconds)),
            ("checkpoint_sha256", optional(checkpointSHA256)),
            ("goals", .object(goals.map { ($0.key, .bool($0.met)) })),
        ]
        if let error = retrain["error"]?.stringValue { object.append(("retrain_error", .string(error))) }
        if let directory { object.append(("directory", .string(directory))) }
        return .object(object)
    }

    var summary: String {
        func pair(_ before: Double, _ after: Double) -> String { String(format: "%.1f%% → %.1f%%", before * 100, after * 100) }
        var decisionText = ""
        if let decision = retrain["decision"] { decisionText = " (decision: \(decision.stringValue ?? String(decoding: JSONWriter.bytes(decision), as: UTF8.self)))" }
        let settingsText = settings.isEmpty ? "" : ", " + settings.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let newKind = "accuracy \(pair(newKindBefore.accuracy, newKindAfter.accuracy)), balanced \(pair(newKindBefore.balancedAccuracy, newKindAfter.balancedAccuracy))"
        let seed = "accuracy \(pair(seedBefore.accuracy, seedAfter.accuracy)), balanced \(pair(seedBefore.balancedAccuracy, seedAfter.balancedAccuracy))"
        let version = retrain["version"]?.stringValue ?? "?"
        let status = retrain["status"]?.stringValue ?? "?"
        let error = retrain["error"]?.stringValue.map { ": " + $0 } ?? ""
        var lines: [String] = []
        lines.append("learning: \(base), \(labels) labels (\(labels / 2) spam + \(labels / 2) ham e-mails)\(settingsText)")
        lines.append("  new kind (\(newKindAfter.count) held-out mails): \(newKind)")
        lines.append("  seed (\(seedAfter.count) held-out SMS): \(seed)")
        lines.append("  serving: \(newKindBefore.models.joined(separator: ",")) → \(newKindAfter.models.joined(separator: ","))")
        lines.append("  retrain \(version): \(status), \(promoted ? "promoted" : "not promoted")\(decisionText)\(error)")
        lines += reasons.map { "    \($0)" }
        lines.append(String(format: "  seconds: cold start %.1f, labelling %.1f, retrain %.1f, whole scenario %.1f",
                            coldStartSeconds, labellingSeconds, retrainSeconds, totalSeconds))
        lines.append("  goals:")
        lines += goals.map { "    \($0.met ? "PASS" : "MISS")  \($0.words)" }
        if let directory { lines.append("  kept: \(directory)") }
        return lines.joined(separator: "\n")
    }
}
