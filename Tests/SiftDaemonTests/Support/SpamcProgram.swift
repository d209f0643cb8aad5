import Foundation
import TestSupport
import XCTest

/// Debian's `spamc`, the real client the SPAMC socket must satisfy, run as a child process.
/// Missing: under `CI=true` the test fails and says how to install it; elsewhere it is skipped.
struct SpamcProgram {
    let path: String

    struct Outcome {
        var status: Int32
        var output: [UInt8]
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func require(file: StaticString = #filePath, line: UInt = #line) throws -> SpamcProgram {
        let candidates = ["/usr/bin/spamc"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/spamc" }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return SpamcProgram(path: found)
        }
        let message = "spamc is not installed: install Debian's spamc: scripts/install-deps (or apt-get install spamc)"
        if SharedFixtures.isCI {
            XCTFail(message, file: file, line: line)
            throw Missing(description: message)
        }
        throw XCTSkip("skipped: \(message)")
    }

    /// Runs `spamc -U socket <arguments>` with `message` on its standard input; waits for it
    /// without holding a thread of the concurrency pool (the daemon under test needs them).
    func run(socket: String, _ arguments: [String], message: [UInt8]) async throws -> Outcome {
        let directory = try ShortTemporaryDirectory()
        let input = directory.file("in"), output = directory.file("out")
        _ = FileManager.default.createFile(atPath: input, contents: Data(message))
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // -t: a daemon that never answers fails the test instead of hanging it.
        process.arguments = ["-U", socket, "-t", "60"] + arguments
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(status: status, output: Array(try Data(contentsOf: URL(fileURLWithPath: output))))
    }
}
