import Prometheus

/// The daemon's Prometheus metrics, served by the `metrics` op.
///
/// A registry of its own (not swift-metrics' process-wide bootstrap), so that several daemons
/// in one process, as in the tests and `sift bench serve`, each report their own figures.
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    let connectionsOpen: Gauge
    let connectionsAccepted: Counter
    let connectionsRejected: Counter
    let classifyLatency: DurationHistogram
    let batchSize: ValueHistogram
    let batchSeconds: DurationHistogram
    let duplicateTexts: Counter
    let verdictCacheHits: Counter
    let verdictCacheMisses: Counter
    let verdictCacheEntries: Gauge
    let journalWritten: Counter
    let journalWriteErrors: Counter
    let journalPending: Gauge
    let reloads: Counter
    let reloadFailures: Counter
    let retrainSeconds: Gauge
    let modelSwaps: Counter
    let overloaded: Counter
    let abandonedTexts: Counter
    let journalRetries: Counter
    let journalGivenUp: Counter
    let predictionsLost: Counter
    let journalPendingBytes: Gauge
    let textsNotStored: Counter
    let textsDropped: Counter
    let storeTexts: Gauge
    let storeTextBytes: Gauge
    let storeFileBytes: Gauge
    let freeBytes: Gauge
    let degraded: Gauge
    let retrainChecks: Counter
    let fleetListening: Gauge

    public init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "sift", metricName: metric, unitName: unit, helpText: help)
        }
        connectionsOpen = registry.makeGauge(descriptor: name("connections", "", "Open client connections."))
        connectionsAccepted = registry.makeCounter(descriptor: name("connections_accepted", "total", "Connections accepted."))
        connectionsRejected = registry.makeCounter(
            descriptor: name("connections_rejected", "total", "Connections closed at once because max_connections was reached."))
        classifyLatency = registry.makeDurationHistogram(
            descriptor: name("classify_latency", "seconds", "Time from a classify request's arrival to its reply."),
            buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { Duration.milliseconds(Int64($0 * 1000)) })
        batchSize = registry.makeValueHistogram(
            descriptor: name("batch_size", "texts", "Distinct texts per forward pass."), buckets: [1, 2, 4, 8, 16, 32, 64, 128])
        batchSeconds = registry.makeDurationHistogram(
            descriptor: name("batch_duration", "seconds", "Tokenizing plus one batched forward pass."),
            buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { Duration.milliseconds(Int64($0 * 1000)) })
        duplicateTexts = registry.makeCounter(
            descriptor: name("duplicate_texts", "total", "Classify requests answered by a computation already in flight for the same text."))
        verdictCacheHits = registry.makeCounter(
            descriptor: name("verdict_cache_hits", "total", "Classify requests answered from the verdict cache, without a forward pass."))
        verdictCacheMisses = registry.makeCounter(
            descriptor: name("verdict_cache_misses", "total", "Classify requests the verdict cache could not answer (computed, or joined a computation in flight)."))
        verdictCacheEntries = registry.makeGauge(
            descriptor: name("verdict_cache_entries", "", "Texts in the verdict cache (at most batching.cache_entries)."))
        journalWritten = registry.makeCounter(descriptor: name("journal_written", "total", "Predictions written to the store."))
        journalWriteErrors = registry.makeCounter(
            descriptor: name("journal_write_errors", "total", "Journal batches that could not be written (their predictions are lost)."))
        journalPending = registry.makeGauge(descriptor: name("journal_pending", "", "Predictions answered but not yet written."))
        reloads = registry.makeCounter(descriptor: name("reloads", "total", "Successful SIGHUP reloads."))
        reloadFailures = registry.makeCounter(descriptor: name("reload_failures", "total", "Reloads that kept the old config or model."))
        retrainSeconds = registry.makeGauge(descriptor: name("retrain_last_duration", "seconds", "How long the latest training run took."))
        modelSwaps = registry.makeCounter(
            descriptor: name("model_swaps", "total", "Models swapped in while serving after a promotion or a rollback."))
        overloaded = registry.makeCounter(
            descriptor: name("overloaded", "total", "Requests refused with overloaded (a limits.max_in_flight* bound, or the journal full)."))
        abandonedTexts = registry.makeCounter(
            descriptor: name("abandoned_texts", "total", "Classify requests dropped before their batch because the client had gone."))
        journalRetries = registry.makeCounter(
            descriptor: name("journal_retries", "total", "Journal batch writes that failed and were kept to retry."))
        journalGivenUp = registry.makeCounter(
            descriptor: name("journal_given_up", "total", "Answered predictions finally not stored (each is logged with its message id)."))
        predictionsLost = registry.makeCounter(descriptor: name(
            "predictions_lost", "total",
            "Classify requests answered without storing their prediction (journal.when_full: drop, the journal full or the store unreachable)."))
        journalPendingBytes = registry.makeGauge(descriptor: name("journal_pending", "bytes", "Bytes of predictions answered but not yet written."))
        textsNotStored = registry.makeCounter(
            descriptor: name("texts_not_stored", "total", "Messages stored without their text because free space was below storage.min_free_mb."))
        textsDropped = registry.makeCounter(
            descriptor: name("texts_dropped", "total", "Message texts removed by retention (storage.text_retention_days)."))
        storeTexts = registry.makeGauge(descriptor: name("store_texts", "", "Distinct message texts in the store."))
        storeTextBytes = registry.makeGauge(descriptor: name("store_text", "bytes", "Bytes of the distinct message texts in the store."))
        storeFileBytes = registry.makeGauge(descriptor: name("store_file", "bytes", "Size of the store's files (database and WAL)."))
        freeBytes = registry.makeGauge(descriptor: name("state_dir_free", "bytes", "Free space in the state directory."))
        retrainChecks = registry.makeCounter(
            descriptor: name("retrain_schedule_checks", "total", "Times the retrain schedule looked at the new labels."))
        degraded = registry.makeGauge(descriptor: name("degraded", "", "1 while health reports degraded (see its reasons), else 0."))
        fleetListening = registry.makeGauge(descriptor: name(
            "fleet_listening", "", "1 while this node listens for promotions on its shared store (store.listen), else 0."))
    }

    /// Training runs by how they ended: `promoted`, `rejected`, `inconclusive` or `failed`.
    func retrainRuns(_ result: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "sift", metricName: "retrain_runs", unitName: "total", helpText: "Training runs by result."), labels: [("result", result)])
    }

    /// Requests by operation (`op` is one the daemon knows, so the label set stays small).
    func requests(op: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "sift", metricName: "requests", unitName: "total", helpText: "Requests by operation."), labels: [("op", op)])
    }

    func errors(_ code: ErrorCode) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "sift", metricName: "errors", unitName: "total", helpText: "Error replies by code."), labels: [("code", code.rawValue)])
    }

    /// SPAMC requests by method (`CHECK`, `PROCESS`, …; only methods the parser knows).
    func spamcRequests(method: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "sift", metricName: "spamc_requests", unitName: "total", helpText: "SPAMC requests by method."),
            labels: [("method", method)])
    }

    /// SPAMC error replies by status name (`EX_PROTOCOL`, …).
    func spamcErrors(status: SpamcStatus) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "sift", metricName: "spamc_errors", unitName: "total", helpText: "SPAMC error replies by status."),
            labels: [("status", status.name)])
    }

    /// The exposition text (format 0.0.4).
    public func exposition() -> String { registry.emitToString() }
}
