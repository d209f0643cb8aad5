import Foundation
import GPT2Tokenizer
import SiftJSON

/// Small pieces shared by the `sift` subcommands.
enum CLI {
    /// Writes one JSON value on its own line to stdout (sorted keys, so output is stable).
    static func printJSON(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data(JSONWriter.bytes(value.sortedKeys) + [UInt8(ascii: "\n")]))
    }

    /// Writes an Encodable value as one JSON line; throws for a non-finite number.
    static func printJSONLine(_ value: some Encodable) throws {
        printJSON(try JSONValue(encoding: value))
    }

    /// Rows as left-aligned columns two spaces apart; the first row is the header.
    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func printError(_ message: String) {
        // On a terminal, first clear a progress or status line the message would otherwise be
        // written onto (a bar redrawn with \r has no newline of its own).
        let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data("\(clear)sift: \(message)\n".utf8))
    }

    /// Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        // Written this way because, with NIO's C modules loaded (via SiftDaemon), Glibc's
        // RUSAGE_SELF is the enum __rusage_who while getrusage takes an Int32.
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// `../shared` beside the checkout, or `$SIFT_SHARED`: where the benchmarks find the public
    /// SMS data and tokenizer files when no path is given.
    static var sharedDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["SIFT_SHARED"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `relative` under ``sharedDirectory``, what a command reads when `option` is not given; an
    /// error saying how to give it when it is not there (run outside the checkout, it is not).
    static func sharedDefault(_ relative: String, option: String) throws -> URL {
        let url = sharedDirectory.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let from = ProcessInfo.processInfo.environment["SIFT_SHARED"].map { $0.isEmpty ? "" : " (from $SIFT_SHARED)" } ?? ""
            throw CLIError("\(url.path) not found\(from): pass \(option), or set SIFT_SHARED to the directory that "
                + "holds \(relative) (by default ../shared, beside the current directory)")
        }
        return url
    }

    static func defaultSMSFile(option: String = "--data FILE") throws -> URL {
        try sharedDefault("data/sms-spam-collection/SMSSpamCollection", option: option)
    }

    static func defaultTokenizerDirectory(option: String = "--vocab DIR") throws -> URL {
        try sharedDefault("data/gpt2-tokenizer", option: option)
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
