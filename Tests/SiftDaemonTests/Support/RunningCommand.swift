import Foundation

/// An executable started in the background whose stderr can be watched while it runs: for a
/// test that must act at a point the command reaches (it waits, it shows progress).
final class RunningCommand: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()
    private let readersDone = DispatchGroup()

    init(_ url: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        collect(stdout.fileHandleForReading) { self.output.append($0) }
        collect(stderr.fileHandleForReading) { self.errors.append($0) }
    }

    private func collect(_ handle: FileHandle, into append: @escaping @Sendable (Data) -> Void) {
        readersDone.enter()
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.lock.withLock { append(chunk) }
            }
            self.readersDone.leave()
        }.start()
    }

    var errorText: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    /// Polls stderr until it contains `text`: false if the command ended first or `timeout`
    /// (a guard against a hang, not a measure) passed.
    func waitForErrors(containing text: String, timeout: TimeInterval = 120) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if errorText.contains(text) { return true }
            if !process.isRunning { return errorText.contains(text) }
            usleep(10_000)
        }
        return false
    }

    /// Waits for the end; nil if it still runs after `timeout` (then it is killed).
    func finish(timeout: TimeInterval = 120) -> (status: Int32, output: String, errors: String)? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        readersDone.wait()
        return lock.withLock { (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self)) }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
