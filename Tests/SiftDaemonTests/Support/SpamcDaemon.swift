import Foundation
@testable import SiftDaemon

extension DaemonTestCase {
    /// An in-process siftd with a SPAMC socket beside its main one. `spamThreshold` near 0
    /// makes every message spam, near 1 every message ham, whatever the small model says.
    func startWithSpamc(
        spamThreshold: Double = 0.5, _ customize: @escaping (inout DaemonConfig) -> Void = { _ in }
    ) async throws -> (fixture: DaemonFixture, socket: String) {
        let fixture = try await start { config in
            config.spamc.socket = DaemonConfig.Socket(path: config.socket.path + ".spamc")
            config.classify.spam = spamThreshold
            customize(&config)
        }
        return (fixture, fixture.config.spamc.socket!.path)  // set just above
    }
}
