import SiftJSON

/// `metrics`: the Prometheus text exposition, carried in a JSON string so it fits on one line.
struct MetricsOperation: Operation {
    let name = "metrics"
    let metrics: DaemonMetrics

    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)] {
        [
            ("content_type", .string("text/plain; version=0.0.4")),
            ("metrics", .string(metrics.exposition())),
        ]
    }
}
