import Foundation
import TestSupport
import XCTest
@testable import SpamStore

/// A writer process is killed with SIGKILL in the middle of committing labels; every label
/// it acknowledged (printed after the store returned) must be in the database afterwards.
final class CrashTests: XCTestCase {
    struct Acknowledgement: Equatable {
        var eventID: LabelEventID
        var messageID: MessageID
        /// nil: a withdrawal.
        var label: String?
    }

    func testEveryAcknowledgedLabelSurvivesSIGKILL() throws {
        let writer = try Self.crashWriterURL()
        let directory = try TemporaryDirectory()
        let path = directory.path("crash.sqlite")

        // Several rounds on the same file, killed after different amounts of work, so the
        // kill lands at different points of the commit cycle and recovery is itself recovered from.
        for acknowledgementsBeforeKill in [1, 40, 150, 400] {
            let acknowledged = try runWriterAndKill(writer, path: path, after: acknowledgementsBeforeKill)
            XCTAssertGreaterThanOrEqual(acknowledged.count, acknowledgementsBeforeKill)

            let store = try Store(path: path)
            defer { try? store.close() }
            var lastAcknowledged: [MessageID: Acknowledgement] = [:]
            for ack in acknowledged {
                let history = try store.labelHistory(forMessage: ack.messageID)
                let event = history.first { $0.id == ack.eventID }
                XCTAssertNotNil(event, "acknowledged label event \(ack.eventID) was lost")
                XCTAssertEqual(event?.label, ack.label, "event \(ack.eventID)")
                lastAcknowledged[ack.messageID] = ack
            }
            // The current event of each message is the last acknowledged one or one committed
            // after it whose acknowledgement the kill cut off, never an older one.
            for (messageID, ack) in lastAcknowledged {
                let current = try XCTUnwrap(try store.currentLabelEvent(forMessage: messageID))
                XCTAssertGreaterThanOrEqual(current.id, ack.eventID)
            }
        }
    }

    /// Starts the writer, reads acknowledgements until `count`, kills it, and returns every
    /// complete acknowledgement line it wrote (a line cut in half by the kill is ignored).
    private func runWriterAndKill(_ writer: URL, path: String, after count: Int) throws -> [Acknowledgement] {
        let process = Process()
        process.executableURL = writer
        process.arguments = [path, "25"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()

        let reader = output.fileHandleForReading
        var received = Data()
        var acknowledged: [Acknowledgement] = []
        while acknowledged.count < count {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // EOF: the writer stopped on its own
            received.append(chunk)
            acknowledged = try Self.parse(received)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the writer ended before it was killed")
        received.append(reader.readDataToEndOfFile())
        return try Self.parse(received)
    }

    private static func parse(_ data: Data) throws -> [Acknowledgement] {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line the kill cut short
        return try lines.filter { $0 != "ready" }.map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let eventID = Int64(fields[0]), let messageID = Int64(fields[1]) else {
                throw CocoaError(.coderReadCorrupt, userInfo: [NSLocalizedDescriptionKey: "bad line from writer: \(line)"])
            }
            return Acknowledgement(eventID: eventID, messageID: messageID, label: fields[2] == "-" ? nil : String(fields[2]))
        }
    }

    /// `swift test` builds every executable target into the same products directory as
    /// the test bundle; look there.
    static func crashWriterURL() throws -> URL {
        let candidates = [
            Bundle.main.bundleURL,
            Bundle(for: CrashTests.self).bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("store-crash-writer") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        let message = "store-crash-writer not found (looked in \(candidates.map(\.path))); run `swift build --build-tests` or `swift test`"
        XCTFail(message)
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
