import ArgumentParser
import Foundation

/// How a command that talks to siftd prints its result.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// human on a terminal, json otherwise (a pipe, a file, a script's $(...)).
    case auto
    case human
    /// siftd's reply lines as they came.
    case json
}

/// `--format` and `--json`, shared by the commands that talk to siftd.
struct OutputOptions: ParsableArguments {
    @Option(help: "human, json, or auto: human when stdout is a terminal, else json.")
    var format: OutputFormat = .auto

    @Flag(help: "Short for --format json.")
    var json = false

    func validate() throws {
        if json && format == .human { throw ValidationError("--json and --format human ask for different things; give one") }
    }

    /// Whether the replies are printed as JSON lines.
    var isJSON: Bool {
        if json { return true }
        switch format {
        case .json: return true
        case .human: return false
        case .auto: return isatty(STDOUT_FILENO) == 0
        }
    }

    /// Whether a format was asked for, rather than left to auto.
    var isExplicit: Bool { json || format != .auto }
}
