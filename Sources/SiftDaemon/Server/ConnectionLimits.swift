import NIOCore

extension ConnectionHandler {
    struct Limits {
        var maxLineBytes: Int
        var maxPending: Int
        /// nil: never time out.
        var idleTimeout: TimeAmount?
        var maxConnections: Int
        var maxConnectionsPerUID: Int
        var reservedConnections: Int
        var admission: Admission.Limits

        init(_ config: DaemonConfig.Limits) {
            maxLineBytes = config.maxLineBytes
            maxPending = config.maxPendingPerConnection
            idleTimeout = config.idleTimeoutSeconds > 0 ? .seconds(Int64(config.idleTimeoutSeconds)) : nil
            maxConnections = config.maxConnections
            maxConnectionsPerUID = config.maxConnectionsPerUID
            reservedConnections = config.reservedConnections
            admission = Admission.Limits(config)
        }
    }
}
