import Configuration
import Foundation
import FineTune
import GPT2

/// Reads siftd's configuration from its layers, highest first:
/// command-line options, environment (`SIFT_` + the key in capitals, dots as underscores, e.g.
/// `SIFT_SOCKET_PATH`), the YAML file, the built-in defaults.
///
/// swift-configuration merges the layers; every value is read as text and converted here, so
/// that a value of the wrong kind (`max_connections: many`) stops the daemon with an error
/// naming the key instead of silently falling back to the default.
public struct DaemonConfigLoader: Sendable {
    /// The config file when neither `--config` nor `$SIFT_CONFIG` names one (skipped if absent).
    public static let defaultFile = "/etc/sift/siftd.yaml"

    /// `--config`, else `$SIFT_CONFIG`, else ``defaultFile`` if it exists.
    public var file: String?
    /// Command-line options by key (`socket.path`, `state_dir`, `model.base`, `model.classifier`).
    public var overrides: [String: String]
    public var environment: [String: String]

    public init(file: String?, overrides: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.overrides = overrides
        self.environment = environment
    }

    /// The environment variable that overrides `key`.
    public static func environmentName(of key: String) -> String {
        "SIFT_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Reads every layer and validates the result. Called at start and on every SIGHUP.
    public func load() async throws -> DaemonConfig {
        var fileKeys: [String] = []
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "command line", values: Dictionary(uniqueKeysWithValues: overrides.map { (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue(.string($0.value), isSecret: false)) })),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "sift"),
        ]
        if let path = resolvedFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DaemonConfigError(key: "config", "cannot read \(path)")
            }
            if Self.hasSettings(text) {
                providers.append(try await Self.yamlProvider(path))
                fileKeys = try ConfigFileKeys.keys(ofYAML: text, path: path)
            }
        }
        let values = ConfigValues(reader: ConfigReader(providers: providers))
        let config = try Self.parse(values)
        // Every key siftd knows was read above; a key in the file that was not is a typo or an
        // old name, and ignoring it would silently run with a default the operator did not want.
        if let unknown = fileKeys.first(where: { !values.readKeys.contains($0) }) {
            throw DaemonConfigError(key: unknown, ConfigFileKeys.unknownKeyMessage(unknown, known: values.readKeys, path: resolvedFile ?? ""))
        }
        return config
    }

    /// A file of nothing but comments is an empty config, not a YAML error.
    private static func hasSettings(_ yaml: String) -> Bool {
        yaml.split(separator: "\n").contains { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#") && trimmed != "---"
        }
    }

    private static func yamlProvider(_ path: String) async throws -> any ConfigProvider {
        // The reader-based initializer takes the path as text (FilePath would need swift-system here).
        let location = ConfigReader(provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)]))
        do {
            return try await FileProvider<YAMLSnapshot>(config: location)
        } catch {
            throw DaemonConfigError(key: "config", "cannot read \(path) as YAML: \(error)")
        }
    }

    /// The file that will be read, if any.
    public var resolvedFile: String? {
        if let file { return file }
        if let path = environment["SIFT_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: Self.defaultFile) ? Self.defaultFile : nil
    }

    static func parse(_ values: ConfigValues) throws -> DaemonConfig {
        var config = DaemonConfig()

        let socketPath = try values.string("socket.path", default: config.socket.path)
        guard !socketPath.isEmpty else { throw DaemonConfigError(key: "socket.path", "must not be empty") }
        config.socket = try parseSocket(values, path: socketPath, pathKey: "socket.path", section: "socket")
        try parseSpamc(values, mainSocket: config.socket.path, into: &config.spamc)

        config.stateDirectory = try values.string("state_dir", default: config.stateDirectory)
        guard !config.stateDirectory.isEmpty else { throw DaemonConfigError(key: "state_dir", "must not be empty") }
        try parseStore(values, into: &config.store)

        config.model.base = try values.string("model.base", default: config.model.base)
        config.model.classifier = try values.optionalString("model.classifier")
        config.model.pooling = try values.optionalString("model.pooling")
        if let pooling = config.model.pooling, Pooling(pooling) == nil {
            throw DaemonConfigError(key: "model.pooling", "must be last or padded:N, not \(pooling)")
        }
        config.model.threads = try values.int("model.threads", default: config.model.threads, in: 1...256)
        let precision = try values.string("model.precision", default: config.model.precision.description)
        guard let setting = PrecisionSetting(precision) else {
            throw DaemonConfigError(key: "model.precision", "must be \(PrecisionSetting.choices), not \(precision)")
        }
        do {
            _ = try setting.resolve()
        } catch {
            throw DaemonConfigError(key: "model.precision", "\(error)")
        }
        config.model.precision = setting

        config.batching.maxBatchSize = try values.int("batching.max_batch_size", default: config.batching.maxBatchSize, in: 1...1024)
        config.batching.maxDelayMilliseconds = try values.int("batching.max_delay_ms", default: config.batching.maxDelayMilliseconds, in: 0...10_000)
        config.batching.maxBatchTokens = try values.int("batching.max_batch_tokens", default: config.batching.maxBatchTokens, in: 1...1_000_000)
        config.batching.cacheEntries = try values.int("batching.cache_entries", default: config.batching.cacheEntries, in: 0...10_000_000)
        config.batching.workers = try values.int("batching.workers", default: config.batching.workers, in: 1...256)

        config.classify.spam = try values.double("classify.spam_threshold", default: config.classify.spam, in: 0.001...1)
        if let ham = try values.optionalString("classify.ham_threshold") {
            guard let number = Double(ham), (0...config.classify.spam).contains(number) else {
                throw DaemonConfigError(key: "classify.ham_threshold", "must be a number from 0 to classify.spam_threshold (\(config.classify.spam)), not \(ham.debugDescription)")
            }
            config.classify.ham = number
        }

        config.journal.maxBatch = try values.int("journal.max_batch", default: config.journal.maxBatch, in: 1...100_000)
        config.journal.maxDelayMilliseconds = try values.int("journal.max_delay_ms", default: config.journal.maxDelayMilliseconds, in: 0...60_000)
        config.journal.idBlock = try values.int("journal.id_block", default: config.journal.idBlock, in: 1...1_000_000)
        config.journal.durable = try values.bool("journal.durable", default: config.journal.durable)
        config.journal.maxPendingBytes = try values.int("journal.max_pending_mb", default: config.journal.maxPendingBytes >> 20, in: 1...1_000_000) << 20
        // Empty, as in the shipped file: the store's default (drop on a shared store).
        let storeDefault = config.store.isShared ? "drop" : "refuse"
        let whenFull = try values.string("journal.when_full", default: storeDefault).nonEmpty ?? storeDefault
        guard let policy = DaemonConfig.WhenFull(rawValue: whenFull) else {
            throw DaemonConfigError(key: "journal.when_full", "must be refuse or drop, not \(whenFull)")
        }
        config.journal.whenFull = policy

        config.storage.textRetentionDays = try values.int(
            "storage.text_retention_days", default: config.storage.textRetentionDays, in: 0...36_500)
        config.storage.minFreeBytes = Int64(try values.int(
            "storage.min_free_mb", default: Int(config.storage.minFreeBytes >> 20), in: 0...100_000_000)) << 20
        config.storage.checkIntervalSeconds = try values.duration(
            "storage.check_interval", default: config.storage.checkIntervalSeconds, in: 1...86_400)

        config.limits.maxLineBytes = try values.int("limits.max_line_bytes", default: config.limits.maxLineBytes, in: 64...(1 << 30))
        config.limits.maxConnections = try values.int("limits.max_connections", default: config.limits.maxConnections, in: 1...100_000)
        config.limits.maxPendingPerConnection = try values.int(
            "limits.max_pending_per_connection", default: config.limits.maxPendingPerConnection, in: 1...1_000_000)
        config.limits.idleTimeoutSeconds = try values.int("limits.idle_timeout_seconds", default: config.limits.idleTimeoutSeconds, in: 0...604_800)
        let l = config.limits
        config.limits.maxConnectionsPerUID = try values.int("limits.max_connections_per_uid", default: l.maxConnectionsPerUID, in: 1...100_000)
        config.limits.reservedConnections = try values.int("limits.reserved_connections", default: l.reservedConnections, in: 0...1000)
        config.limits.maxInFlight = try values.int("limits.max_in_flight", default: l.maxInFlight, in: 1...10_000_000)
        config.limits.maxInFlightBytes = try values.int("limits.max_in_flight_bytes", default: l.maxInFlightBytes, in: 4096...(1 << 40))
        config.limits.maxInFlightPerUID = try values.int("limits.max_in_flight_per_uid", default: l.maxInFlightPerUID, in: 1...10_000_000)

        config.authorization.allowOwnUID = try values.bool("authorization.allow_own_uid", default: config.authorization.allowOwnUID)
        for operation in AuthorizationPolicy.guardedOperations {
            var rule = AuthorizationPolicy.Rule()
            let uidsKey = "authorization.\(operation).uids"
            for text in try values.list(uidsKey) {
                guard let uid = UserDatabase.uid(of: text) else { throw DaemonConfigError(key: uidsKey, "no user \(text)") }
                rule.uids.insert(uid)
            }
            let groupsKey = "authorization.\(operation).groups"
            for text in try values.list(groupsKey) {
                guard let gid = UserDatabase.gid(of: text) else { throw DaemonConfigError(key: groupsKey, "no group \(text)") }
                rule.gids.insert(gid)
            }
            if !rule.uids.isEmpty || !rule.gids.isEmpty { config.authorization.rules[operation] = rule }
        }

        try parseRetrain(values, into: &config.retrain)

        config.drainTimeoutSeconds = try values.int("shutdown.drain_timeout_seconds", default: config.drainTimeoutSeconds, in: 0...3600)
        config.logLevel = try values.string("log.level", default: config.logLevel)
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(config.logLevel) else {
            throw DaemonConfigError(key: "log.level", "must be one of \(levels.joined(separator: ", ")), not \(config.logLevel)")
        }
        return config
    }
}

extension DaemonConfigLoader {
    static func parseRetrain(_ values: ConfigValues, into r: inout DaemonConfig.Retrain) throws {
        r.enabled = try values.bool("retrain.enabled", default: r.enabled)
        r.intervalSeconds = try values.duration("retrain.interval", default: r.intervalSeconds, in: 1...(366 * 86_400))
        r.minNewLabels = try values.int("retrain.min_new_labels", default: r.minNewLabels, in: 1...10_000_000)
        r.minNewPerLabel = try values.int("retrain.min_new_per_label", default: r.minNewPerLabel, in: 0...10_000_000)
        r.holdoutPercent = try values.int("retrain.holdout_percent", default: r.holdoutPercent, in: 1...50)
        r.seedData = try values.optionalString("retrain.seed_data")
        if let seed = r.seedData, !FileManager.default.fileExists(atPath: seed) {
            throw DaemonConfigError(key: "retrain.seed_data", "no file or directory at \(seed)")
        }
        let strategy = try values.string("retrain.strategy", default: r.strategy.rawValue)
        guard let parsed = DaemonConfig.Strategy(rawValue: strategy) else {
            throw DaemonConfigError(key: "retrain.strategy", "must be warm or joint, not \(strategy)")
        }
        r.strategy = parsed
        r.replayExamples = try values.int("retrain.replay_examples", default: r.replayExamples, in: 0...10_000_000)
        r.replayPerLabel = try values.int("retrain.replay_per_label", default: r.replayPerLabel, in: 0...1000)
        r.distill = try values.double("retrain.distill", default: r.distill, in: 0...0.99)
        r.startPull = try values.double("retrain.start_pull", default: r.startPull, in: 0...1_000_000)
        r.interpolate = try values.double("retrain.interpolate", default: r.interpolate, in: 0.01...1)
        r.warmLearningRateScale = try values.double("retrain.warm_learning_rate_scale", default: r.warmLearningRateScale, in: 0.001...10)
        r.seed = try values.int("retrain.seed", default: r.seed, in: 0...Int(Int32.max))
        r.trainable = try values.string("retrain.trainable", default: r.trainable)
        guard TrainableSet(r.trainable) != nil else {
            throw DaemonConfigError(key: "retrain.trainable", "must be head, last-block, last-N-blocks or all, not \(r.trainable)")
        }
        r.epochs = try values.int("retrain.epochs", default: r.epochs, in: 1...1000)
        r.batchSize = try values.int("retrain.batch_size", default: r.batchSize, in: 1...4096)
        r.learningRate = try values.double("retrain.learning_rate", default: r.learningRate, in: 0...1)
        r.threads = try values.int("retrain.threads", default: r.threads, in: 1...256)
        r.nice = try values.int("retrain.nice", default: r.nice, in: 0...19)
        r.gate.tolerance = try values.double("retrain.gate.tolerance", default: r.gate.tolerance, in: 0...1)
        r.gate.confidence = try values.double("retrain.gate.confidence", default: r.gate.confidence, in: 0.5...0.999)
        for holdout in PromotionGate.holdouts {
            let key = "retrain.gate.weight.\(holdout)"
            r.gate.weights[holdout] = try values.double(key, default: r.gate.weights[holdout] ?? 1, in: 0...1000)
        }
        guard r.gate.weights.values.contains(where: { $0 > 0 }) else {
            throw DaemonConfigError(key: "retrain.gate.weight", "at least one holdout needs a weight above 0")
        }
        r.maxSharePerUID = try values.double("retrain.max_share_per_uid", default: r.maxSharePerUID, in: 0.01...1)
        r.trustedUIDs = []
        for text in try values.list("retrain.trusted_uids") {
            guard let uid = UserDatabase.uid(of: text) else { throw DaemonConfigError(key: "retrain.trusted_uids", "no user \(text)") }
            r.trustedUIDs.insert(uid)
        }
        r.keepModels = try values.int("retrain.keep_models", default: r.keepModels, in: 0...10_000)
        r.timeoutSeconds = try values.duration("retrain.timeout", default: r.timeoutSeconds, in: 60...(30 * 86_400))
    }
}

/// Typed reads over a `ConfigReader` that fail with the key's name.
struct ConfigValues {
    let reader: ConfigReader
    private let log = KeyLog()

    /// Every key asked for so far: all the keys siftd knows, once ``DaemonConfigLoader/parse(_:)`` ran.
    var readKeys: Set<String> { log.keys }

    private final class KeyLog {
        var keys: Set<String> = []
    }

    /// The value as text; nil when no layer sets it. A list where one value belongs is an error.
    func optionalString(_ key: String) throws -> String? {
        log.keys.insert(key)
        if let text = reader.string(forKey: ConfigKey(key)) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        if reader.stringArray(forKey: ConfigKey(key)) != nil {
            throw DaemonConfigError(key: key, "must be a single value, not a list")
        }
        return nil
    }

    func string(_ key: String, default value: String) throws -> String {
        try optionalString(key) ?? value
    }

    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try optionalString(key) else { return value }
        guard let number = Int(text) else { throw DaemonConfigError(key: key, "must be an integer, not \(text.debugDescription)") }
        guard range.contains(number) else {
            throw DaemonConfigError(key: key, "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = try optionalString(key) else { return value }
        guard let number = Double(text), number.isFinite else {
            throw DaemonConfigError(key: key, "must be a number, not \(text.debugDescription)")
        }
        guard range.contains(number) else {
            throw DaemonConfigError(key: key, "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// Seconds, written as a number of seconds or with a unit: `90s`, `15m`, `6h`, `1d`.
    func duration(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try optionalString(key) else { return value }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var scale = 1
        if let last = text.last, let unit = units[last] {
            digits = text.dropLast()
            scale = unit
        }
        guard let count = Int(digits.trimmingCharacters(in: .whitespaces)), count >= 0 else {
            throw DaemonConfigError(key: key, "must be a duration like 90s, 15m, 6h or 1d, not \(text.debugDescription)")
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, range.contains(seconds) else {
            throw DaemonConfigError(key: key, "must be between \(range.lowerBound) s and \(range.upperBound) s, not \(text)")
        }
        return seconds
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = try optionalString(key) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw DaemonConfigError(key: key, "must be true or false, not \(text.debugDescription)")
        }
    }

    func octalMode(_ key: String, default value: UInt32) throws -> UInt32 {
        guard let text = try optionalString(key) else { return value }
        guard let mode = UInt32(text, radix: 8), mode <= 0o777 else {
            throw DaemonConfigError(key: key, "must be an octal permission like 0660, not \(text.debugDescription)")
        }
        return mode
    }

    /// A list: a YAML sequence, or comma-separated text (how environment variables carry lists).
    func list(_ key: String) throws -> [String] {
        log.keys.insert(key)
        let items: [String]
        if let array = reader.stringArray(forKey: ConfigKey(key)) {
            items = array
        } else if let text = reader.string(forKey: ConfigKey(key)) {
            items = text.split(separator: ",").map(String.init)
        } else {
            items = []
        }
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
