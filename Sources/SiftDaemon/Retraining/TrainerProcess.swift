import Foundation
import SpamStore
import Synchronization

/// How the daemon starts a trainer: its own binary as `siftd train --run-id N --parent-pid P`,
/// plus the options that make the child read the same configuration (`--config`, and the
/// command-line overrides; the environment is inherited).
public struct TrainerLauncher: Sendable {
    public var executable: URL
    public var arguments: [String]

    public init(executable: URL, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// The running program (`/proc/self/exe`), so the trainer is the same build as the daemon.
    public static var currentExecutable: URL {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: resolved)
    }

    func launch(run: TrainingRunID) throws -> TrainerProcess {
        try TrainerProcess(executable: executable, arguments: ["train", "--run-id", "\(run)", "--parent-pid", "\(getpid())"] + arguments)
    }
}

/// How a trainer process ended.
enum TrainerExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case let .exited(status): "exited with status \(status)"
        case let .signaled(signal): "was killed by signal \(signal)" + (signal == SIGKILL ? " (SIGKILL)" : signal == SIGTERM ? " (SIGTERM)" : "")
        }
    }
}

/// A started `siftd train`. Its output goes to the daemon's stderr (the journal under systemd),
/// so the daemon's stdout, or that of a program running a daemon inside it, stays its own.
final class TrainerProcess: @unchecked Sendable {
    private final class ExitState: Sendable {
        let value = Mutex<(exit: TrainerExit?, waiters: [CheckedContinuation<TrainerExit, Never>])>((nil, []))
    }

    private let process = Process()
    private let exitState = ExitState()

    init(executable: URL, arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.standardError
        process.terminationHandler = { [exitState] process in
            let exit: TrainerExit = process.terminationReason == .uncaughtSignal
                ? .signaled(process.terminationStatus) : .exited(process.terminationStatus)
            let waiters = exitState.value.withLock { state in
                state.exit = exit
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: exit) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func waitForExit() async -> TrainerExit {
        await withCheckedContinuation { continuation in
            let done = exitState.value.withLock { state -> TrainerExit? in
                if let exit = state.exit { return exit }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    var hasExited: Bool { exitState.value.withLock { $0.exit != nil } }

    func signal(_ signal: Int32) {
        guard !hasExited else { return }
        kill(process.processIdentifier, signal)
    }
}
