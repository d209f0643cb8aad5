import Yams

/// The settings a YAML config file makes, as dotted keys (`retrain.tolerance.accuracy`): the
/// leaves of its nested mappings (a list is one leaf).
enum ConfigFileKeys {
    static func keys(ofYAML text: String, path: String) throws -> [String] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DaemonConfigError(key: "config", "cannot read \(path) as YAML: \(error)")
        }
        guard let root else { return [] }
        guard case .mapping = root else {
            throw DaemonConfigError(key: "config", "\(path) must be a mapping of settings (key: value), not a \(root)")
        }
        var keys: [String] = []
        func walk(_ node: Node, _ prefix: String) {
            guard let mapping = node.mapping else {
                // An empty value (`owner:`, or a section whose settings are all commented out) sets nothing.
                if node.scalar.map({ $0.string.isEmpty || $0.string == "~" || $0.string == "null" }) != true { keys.append(prefix) }
                return
            }
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                walk(value, prefix.isEmpty ? name : prefix + "." + name)
            }
        }
        walk(root, "")
        return keys
    }

    /// "no setting retrain.intervall (did you mean retrain.interval?)".
    /// Settings an earlier siftd read, and what replaced them.
    static let replaced = [
        "retrain.tolerance.accuracy": "retrain.gate.tolerance (a drop in balanced accuracy; see docs/operations.md, \"The gate\")",
        "retrain.tolerance.spam_recall": "retrain.gate.tolerance (balanced accuracy covers each label's recall; see docs/operations.md)",
    ]

    static func unknownKeyMessage(_ key: String, known: Set<String>, path: String) -> String {
        if let replacement = replaced[key] {
            return "\(path) sets \(key), which this siftd no longer reads: it was replaced by \(replacement); remove it"
        }
        var message = "\(path) sets \(key), which is not a siftd setting"
        let nearest = known.min { distance(key, $0) < distance(key, $1) }
        if let nearest, distance(key, nearest) <= max(2, key.count / 4) {
            message += " (did you mean \(nearest)?)"
        }
        return message + "; config/siftd.yaml lists every key"
    }

    /// Levenshtein distance, for the suggestion.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
