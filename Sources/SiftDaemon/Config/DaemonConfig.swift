import FineTune
import GPT2
import Foundation

/// Everything siftd is told, after layering and validation (see ``DaemonConfigLoader``).
/// `config/siftd.yaml` documents each key; the defaults here are the ones it lists.
public struct DaemonConfig: Sendable, Equatable {
    public struct Socket: Sendable, Equatable {
        public var path: String
        /// Permission bits of the socket file; who may connect at all.
        public var mode: UInt32
        /// User to own the socket file (name or uid); nil: the daemon's.
        public var owner: String?
        /// Group to own the socket file (name or gid); nil: the daemon's.
        public var group: String?

        public init(path: String = "/run/sift/siftd.sock", mode: UInt32 = 0o660, owner: String? = nil, group: String? = nil) {
            self.path = path
            self.mode = mode
            self.owner = owner
            self.group = group
        }
    }

    /// The second socket, speaking spamd's protocol (SPAMC/1.5) for `spamc` and MTAs (docs/spamc.md).
    public struct Spamc: Sendable, Equatable {
        /// Path and permissions of the socket file, as for the main socket; nil: no SPAMC socket.
        public var socket: Socket?
        /// A larger message is read and thrown away, and answered with an error (spamc's own
        /// default `-s` limit is 500 KB; an MTA may send more).
        public var maxMessageBytes = 10 << 20
        /// A connection that sends nothing for this long before its request is complete is
        /// answered EX_TIMEOUT and closed.
        public var timeoutSeconds = 30
    }

    public struct Model: Sendable, Equatable {
        /// Hugging Face layout: model.safetensors, config.json, vocab.json + merges.txt.
        public var base = ""
        /// Served while the model registry has no active model; nil: head.safetensors in `base`.
        public var classifier: String?
        /// `last` or `padded:N`; nil: what the classifier file says.
        public var pooling: String?
        /// OpenBLAS threads for the forward pass.
        public var threads = 2
        /// What the frozen blocks compute in; the trained tail and the head are always fp32.
        /// Checked against the CPU when the configuration is read.
        public var precision: PrecisionSetting = .auto

        /// The precision served and trained in on this CPU.
        public var servedPrecision: Precision { (try? precision.resolve()) ?? .fp32 }
    }

    public struct Batching: Sendable, Equatable {
        public var maxBatchSize = 32
        /// How long the first text of a batch may wait for others while the model is idle.
        public var maxDelayMilliseconds = 5
        /// Tokens in one forward pass at most (a single longer text still runs alone): bounds how
        /// long a batch takes, which is what the watchdog and every waiting client see.
        public var maxBatchTokens = 4096
        /// Texts whose probabilities are kept for repeats (a spam campaign); 0: no cache.
        public var cacheEntries = 10_000
        /// Threads running batches side by side, each on its own copy of the activations; above
        /// 1, every GEMM runs on its worker's thread alone (OpenBLAS's thread count is per process).
        public var workers = 1
    }

    public struct Journal: Sendable, Equatable {
        public var maxBatch = 256
        public var maxDelayMilliseconds = 20
        /// Message ids reserved (durably) at a time.
        public var idBlock = 1024
        /// Answer `classify` only once its prediction is committed (and fsynced): nothing
        /// acknowledged is lost even to a power cut, at a cost in throughput (docs/operations.md).
        public var durable = false
        /// Predictions kept in memory while the store cannot write them (a full disk), retried
        /// with backoff; past this, `classify` is refused with `overloaded` rather than lose more.
        public var maxPendingBytes = 64 << 20
        /// `journal.when_full`: what `classify` does once `maxPendingBytes` wait (or no message
        /// id can be had): `refuse` with `overloaded`, or `drop`: answer without storing the
        /// prediction (no message id; counted as lost). Default: `drop` on a store other nodes
        /// share (classification must not stop with the database), else `refuse`.
        public var whenFull = WhenFull.refuse
    }

    public enum WhenFull: String, Sendable, Equatable, CaseIterable {
        case refuse, drop
    }

    /// What the store keeps, and for how long.
    public struct Storage: Sendable, Equatable {
        /// Days the text of an unlabelled message is kept; labels, hashes and predictions stay. 0: forever.
        public var textRetentionDays = 30
        /// Below this much free space in the state directory, message texts are no longer stored
        /// (predictions still are) and `health` says `degraded`.
        public var minFreeBytes: Int64 = 256 << 20
        /// How often retention runs and the storage figures are refreshed.
        public var checkIntervalSeconds = 600
    }

    public struct Limits: Sendable, Equatable {
        public var maxLineBytes = 1 << 20
        public var maxConnections = 256
        public var maxPendingPerConnection = 1024
        /// 0: never close idle connections. Only complete requests count as activity.
        public var idleTimeoutSeconds = 300
        /// Connections one uid may hold open.
        public var maxConnectionsPerUID = 64
        /// Extra connections, beyond `maxConnections`, kept for root and the daemon's own user
        /// (so `sift health` works while others hold every slot).
        public var reservedConnections = 4
        /// Requests read and not yet answered, all connections (`health` and `metrics` exempt).
        public var maxInFlight = 8192
        /// Their bytes: request lines plus replies not yet taken by the client.
        public var maxInFlightBytes = 16 << 20
        /// Requests one uid may have in flight, all its connections together.
        public var maxInFlightPerUID = 4096
    }

    /// The retraining loop (docs/operations.md, "Retraining").
    public struct Retrain: Sendable, Equatable {
        /// The daemon's own schedule; `retrain` requests work either way.
        public var enabled = true
        /// How often the schedule looks at the new labels.
        public var intervalSeconds = 3600
        /// New labels since the last successful run needed for a scheduled run...
        public var minNewLabels = 100
        /// ...and of every label.
        public var minNewPerLabel = 10
        /// Share of messages (by text hash) held out for the gate and never trained on.
        public var holdoutPercent = 20
        /// Labeled file or `sift prepare-data` directory: replayed in every run, and the data of a cold start.
        public var seedData: String?
        /// How a run learns: `warm` starts from the active model; `joint` trains from the base
        /// model on all the seed data and every label, as a cold start does.
        public var strategy = Strategy.warm
        /// Seed examples mixed into a warm run: at least `replayExamples`, and `replayPerLabel`
        /// for every collected label in the run; 0 and 0: no replay.
        public var replayExamples = 500
        public var replayPerLabel = 16
        /// Distillation on the replayed seed examples: their targets are (1 - distill) · label +
        /// distill · the active model's probabilities ("Learning without Forgetting"); 0: off.
        public var distill = 0.0
        /// A warm run's pull back toward the active model's weights (L2-SP; ``AdamWConfig/startPull``).
        public var startPull = 0.0
        /// A warm run's weights end a fraction this far from the active model's to the trained ones
        /// (WiSE-FT; ``Trainer/interpolateFromStart(_:)``); 1: the trained weights.
        public var interpolate = 0.75
        /// A warm run's learning rate is `learningRate` times this.
        public var warmLearningRateScale = 0.5
        /// Seeds the replay sample, the shuffles and a new head: a run is a function of its inputs.
        public var seed = 1
        public var trainable = "last-block"
        public var epochs = 3
        public var batchSize = 8
        public var learningRate = 5e-5
        /// OpenBLAS threads of the trainer process.
        public var threads = 1
        /// The trainer's nice value; 19 also puts it in SCHED_IDLE.
        public var nice = 19
        /// The promotion gate (``PromotionGate``).
        public var gate = PromotionGate.Settings()
        /// Largest share of a run's training examples one uid's labels may have, unless trusted.
        public var maxSharePerUID = 0.5
        /// Uids whose labels are not capped (names or numbers in the file).
        public var trustedUIDs: Set<UInt32> = []
        /// Models kept with their files besides the active one; older ones are pruned.
        public var keepModels = 5
        /// A trainer running longer is killed and its run failed.
        public var timeoutSeconds = 7200
    }

    public enum Strategy: String, Sendable, Equatable, CaseIterable {
        case warm, joint
    }

    public var socket = Socket()
    public var spamc = Spamc()
    public var stateDirectory = "/var/lib/sift"
    public var store = StoreSettings()
    public var model = Model()
    public var batching = Batching()
    /// `classify.spam_threshold` and `classify.ham_threshold`.
    public var classify = ClassifyThresholds()
    public var journal = Journal()
    public var limits = Limits()
    public var storage = Storage()
    public var authorization = AuthorizationPolicy()
    public var retrain = Retrain()
    public var drainTimeoutSeconds = 30
    public var logLevel = "info"

    public init() {}

    /// The SQLite store inside the state directory (the default of `store.url`).
    public var storePath: String { URL(fileURLWithPath: stateDirectory).appendingPathComponent("sift.sqlite").path }

    /// Trained models, one directory per version.
    public var modelsDirectory: String { URL(fileURLWithPath: stateDirectory).appendingPathComponent("models").path }

    /// The base model directory: `model.base`, or `base` inside the state directory.
    public var baseModelDirectory: String {
        model.base.isEmpty ? URL(fileURLWithPath: stateDirectory).appendingPathComponent("base").path : model.base
    }

    /// The base model directory, checked to be one (it has a config.json); else the error names `model.base`.
    public func requireBaseModelDirectory() throws -> URL {
        let base = URL(fileURLWithPath: baseModelDirectory)
        guard FileManager.default.fileExists(atPath: base.appendingPathComponent("config.json").path) else {
            throw DaemonConfigError(key: "model.base", "\(base.path) is not a model directory (no config.json)")
        }
        return base
    }
}
