import Foundation

/// Everything siftd is told, after layering and validation (see ``DaemonConfigLoader``).
/// `config/siftd.yaml` documents each key; the defaults here are the ones it lists.
public struct DaemonConfig: Sendable, Equatable {
    public struct Socket: Sendable, Equatable {
        public var path = "/run/sift/siftd.sock"
        /// Permission bits of the socket file; who may connect at all.
        public var mode: UInt32 = 0o660
        /// User to own the socket file (name or uid); nil: the daemon's.
        public var owner: String?
        /// Group to own the socket file (name or gid); nil: the daemon's.
        public var group: String?
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
    }

    public struct Batching: Sendable, Equatable {
        public var maxBatchSize = 32
        /// How long the first text of a batch may wait for others while the model is idle.
        public var maxDelayMilliseconds = 5
    }

    public struct Journal: Sendable, Equatable {
        public var maxBatch = 256
        public var maxDelayMilliseconds = 20
        /// Message ids reserved (durably) at a time.
        public var idBlock = 1024
    }

    public struct Limits: Sendable, Equatable {
        public var maxLineBytes = 1 << 20
        public var maxConnections = 256
        public var maxPendingPerConnection = 1024
        /// 0: never close idle connections.
        public var idleTimeoutSeconds = 300
    }

    public var socket = Socket()
    public var stateDirectory = "/var/lib/sift"
    public var model = Model()
    public var batching = Batching()
    public var journal = Journal()
    public var limits = Limits()
    public var authorization = AuthorizationPolicy()
    public var drainTimeoutSeconds = 30
    public var logLevel = "info"

    public init() {}

    /// The SQLite store inside the state directory.
    public var storePath: String { URL(fileURLWithPath: stateDirectory).appendingPathComponent("sift.sqlite").path }

    /// The base model directory: `model.base`, or `base` inside the state directory.
    public var baseModelDirectory: String {
        model.base.isEmpty ? URL(fileURLWithPath: stateDirectory).appendingPathComponent("base").path : model.base
    }
}
