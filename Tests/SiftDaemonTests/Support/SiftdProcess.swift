import Foundation
import SiftDaemon
import TestSupport
import XCTest

/// The real `siftd` executable as a child process, for what only a process can show: signals
/// and exit status.
final class SiftdProcess: @unchecked Sendable {
    let directory: ShortTemporaryDirectory
    let process = Process()
    var socketPath: String { directory.file("s.sock") }
    var statePath: String { directory.file("state") }
    var logPath: String { directory.file("siftd.log") }

    static func binary(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        try BuiltExecutable.url("siftd", override: "SIFTD_BINARY", file: file, line: line)
    }

    /// Starts siftd on a fresh socket and state directory with the golden model.
    /// `config` is written to a YAML file passed with --config.
    /// `environment` is added to the child's; `launcher` (e.g. systemd-socket-activate and its
    /// options) runs siftd, with `{socket}` in its arguments replaced by the socket path.
    /// `directory`: one used before (a restart, or after `siftd train` ran there); nil: a new one.
    init(config: String = "", environment extra: [String: String] = [:], launcher: [String] = [],
         directory existing: ShortTemporaryDirectory? = nil) throws {
        directory = try existing ?? ShortTemporaryDirectory()
        let configPath = directory.file("siftd.yaml")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let arguments = try Self.arguments(in: directory)
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            let launcherArguments = launcher.dropFirst().map { $0.replacingOccurrences(of: "{socket}", with: directory.file("s.sock")) }
            process.arguments = launcherArguments + [try Self.binary().path] + arguments
        } else {
            process.executableURL = try Self.binary()
            process.arguments = arguments
        }
        process.environment = Self.environment(extra)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)
        log?.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The options every siftd of `directory` runs with (the config file must be written first).
    static func arguments(in directory: ShortTemporaryDirectory) throws -> [String] {
        [
            "--config", directory.file("siftd.yaml"), "--socket", directory.file("s.sock"), "--state-dir", directory.file("state"),
            "--base-model", try DaemonFixture.modelDirectory(),
        ]
    }

    /// This process's environment without SIFT_* and NOTIFY_SOCKET, one OpenBLAS thread, fp32, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIFT_") && $0.key != "NOTIFY_SOCKET" }
        environment["SIFT_MODEL_THREADS"] = "1"
        // The same numbers on every CPU: the precisions have tests of their own.
        environment["SIFT_MODEL_PRECISION"] = "fp32"
        environment.merge(extra) { _, new in new }
        return environment
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var configPath: String { directory.file("siftd.yaml") }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until a classify request is answered: the socket is bound and the services run.
    func waitUntilServing(timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { throw LineClient.Failure.io("siftd exited early:\n\(log)") }
            if let client = try? LineClient(socketPath: socketPath) {
                client.setReceiveTimeout(seconds: 30)
                if let reply = try? client.call(["op": "classify", "text": "are you there"]), reply["message_id"] != nil { return }
            }
            usleep(50_000)
        }
        throw LineClient.Failure.io("siftd did not start serving within \(timeout) s:\n\(log)")
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// The exit status, or nil if it is still running after `timeout`.
    func waitForExit(timeout: TimeInterval = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }
}

/// An executable of this package, which `swift test` builds next to the test bundle.
enum BuiltExecutable {
    /// `$override` if set, else `name` beside the test bundle; fails under CI, skips elsewhere.
    static func url(_ name: String, override: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        if let path = ProcessInfo.processInfo.environment[override], !path.isEmpty { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let message = "no \(name) executable beside the tests (looked in \(candidates.map(\.path))); build it or set \(override)"
        if SharedFixtures.isCI {
            XCTFail(message, file: file, line: line)
            throw LineClient.Failure.io(message)
        }
        throw XCTSkip(message)
    }

    /// Runs it to the end with `input` on stdin; returns its exit status, stdout and stderr.
    static func run(_ url: URL, _ arguments: [String], input: String = "", environment: [String: String] = [:]) throws
        -> (status: Int32, output: String, errors: String)
    {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let errorData = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), errorData.text)
    }

    /// Reads a pipe on another thread, so neither pipe can fill up and block the child.
    private final class ErrorCollector: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread {
                self.data = handle.readDataToEndOfFile()
                self.done.signal()
            }.start()
        }

        var text: String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
