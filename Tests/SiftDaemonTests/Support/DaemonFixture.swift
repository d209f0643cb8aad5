import Foundation
import Logging
import SiftDaemon
import SiftJSON
import TestSupport
import XCTest

/// A siftd running inside the test process on a real Unix socket, serving the small golden model.
final class DaemonFixture: Sendable {
    let directory: ShortTemporaryDirectory
    let config: DaemonConfig
    let daemon: Daemon
    private let running: Task<Void, any Error>

    static let quietLogger = Logger(label: "siftd-test") { _ in SwiftLogNoOpLogHandler() }

    /// The golden tiny GPT-2 directory (its head.safetensors is the default classifier).
    static func modelDirectory() throws -> String {
        try SharedFixtures.require("golden/tiny-gpt2").path
    }

    static func config(in directory: ShortTemporaryDirectory) throws -> DaemonConfig {
        var config = DaemonConfig()
        config.socket.path = directory.file("s.sock")
        config.stateDirectory = directory.file("state")
        config.model.base = try modelDirectory()
        config.model.threads = 1
        config.model.precision = .fixed(.fp32)  // the same numbers on every CPU
        config.drainTimeoutSeconds = 10
        return config
    }

    static func start(options: Daemon.Options = Daemon.Options(), _ customize: (inout DaemonConfig) -> Void = { _ in }) async throws -> DaemonFixture {
        let directory = try ShortTemporaryDirectory()
        var config = try config(in: directory)
        customize(&config)
        let daemon = try await Daemon.start(config: config, options: options, logger: quietLogger)
        return DaemonFixture(directory: directory, config: config, daemon: daemon)
    }

    private init(directory: ShortTemporaryDirectory, config: DaemonConfig, daemon: Daemon) {
        self.directory = directory
        self.config = config
        self.daemon = daemon
        running = Task { try await daemon.run() }
    }

    var socketPath: String { config.socket.path }

    func connect() throws -> LineClient {
        let client = try LineClient(socketPath: socketPath)
        client.setReceiveTimeout(seconds: 60)
        return client
    }

    /// Graceful shutdown, as SIGTERM; throws what `run()` threw.
    func stop() async throws {
        await daemon.shutdown()
        try await running.value
    }
}

extension LineClient {
    /// So a test that waits for a reply that never comes fails instead of hanging.
    func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The value of a Prometheus metric (a name without labels) from the `metrics` op; nil if absent.
    func metric(_ name: String) throws -> Double? {
        let text = try call(["op": "metrics"])["metrics"]?.stringValue ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// Sends raw bytes and reads one reply.
    func callRaw(_ line: String) throws -> JSONValue {
        try send(Array(line.utf8))
        guard let reply = try readReply() else { throw LineClient.Failure.io("no reply") }
        return reply
    }
}

extension JSONValue {
    var errorCode: String? {
        guard case let .string(code)? = self["error"]?["code"] else { return nil }
        return code
    }

    var intValue: Int64? {
        if case let .int(value) = self { return value }
        return nil
    }

    var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }
}
