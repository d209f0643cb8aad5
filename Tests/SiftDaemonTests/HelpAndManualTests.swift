import Foundation
import TestSupport
import XCTest
@testable import SiftDaemon

/// What an operator reads before running anything: `sift --help` grouped by task, and the man
/// pages scripts/generate-man-pages makes from the binaries and the documented config.
final class HelpAndManualTests: XCTestCase {
    static let groups = ["TALK TO SIFTD", "OPERATE SIFTD", "DATA AND MODELS", "INSPECT AND MEASURE"]

    func testSiftHelpListsTheSubcommandsByTaskWithTalkingToSiftdFirst() throws {
        let run = try BuiltExecutable.run(try BuiltExecutable.url("sift", override: "SIFT_BINARY"), ["--help"])
        XCTAssertEqual(run.status, 0, run.errors)
        let lines = run.output.components(separatedBy: "\n")
        let headings = lines.filter { $0.hasSuffix("SUBCOMMANDS:") }
        XCTAssertEqual(headings, Self.groups.map { "\($0) SUBCOMMANDS:" }, run.output)
        func position(_ command: String) -> Int? { lines.firstIndex { $0.hasPrefix("  \(command) ") || $0 == "  \(command)" } }
        let order = ["classify", "check", "learn", "correct", "label", "forget", "stats", "health", "models", "retrain",
                     "rollback", "metrics", "backup", "prepare-data", "train", "eval", "init-model", "predict", "tokenize", "bench"]
        let positions = order.map { position($0) }
        XCTAssertFalse(positions.contains(nil), "a subcommand is missing from --help:\n\(run.output)")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "not in task order:\n\(run.output)")
        // Each group's heading comes before its first command.
        XCTAssertLessThan(try XCTUnwrap(lines.firstIndex(of: "TALK TO SIFTD SUBCOMMANDS:")), try XCTUnwrap(position("classify")))
        XCTAssertLessThan(try XCTUnwrap(lines.firstIndex(of: "INSPECT AND MEASURE SUBCOMMANDS:")), try XCTUnwrap(position("tokenize")))
    }

    func testManPagesCoverEveryCommandOptionAndConfigKey() throws {
        let output = try TemporaryDirectory()
        let binaries = try Self.binaries()
        let bin = binaries.url
        let run = try Self.script("generate-man-pages", ["--bin", bin.path, output.url.path])
        XCTAssertEqual(run.status, 0, run.errors)

        let sift = try String(contentsOfFile: output.path("man1/sift.1"), encoding: .utf8)
        XCTAssertTrue(sift.contains("\n.TH SIFT 1 "), sift)
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "SEE ALSO"] {
            XCTAssertTrue(sift.contains("\n.SH \(section)\n"), "sift.1 has no \(section)")
        }
        let groupLines = Self.groups.map { sift.range(of: "\n.SH \"\($0)\"\n")?.lowerBound }
        XCTAssertFalse(groupLines.contains(nil), "sift.1 lacks a task group: \(groupLines)")
        XCTAssertEqual(groupLines.compactMap { $0 }, groupLines.compactMap { $0 }.sorted(), "sift.1's groups are out of order")
        try Self.assertEveryCommandAndOption(of: bin.appendingPathComponent("sift"), in: sift, page: "sift.1")

        let siftd = try String(contentsOfFile: output.path("man1/siftd.1"), encoding: .utf8)
        XCTAssertTrue(siftd.contains("\n.TH SIFTD 1 "), siftd)
        XCTAssertTrue(siftd.contains("siftd.yaml\\fR(5)"), "siftd.1 does not point at siftd.yaml(5)")
        try Self.assertEveryCommandAndOption(of: bin.appendingPathComponent("siftd"), in: siftd, page: "siftd.1")

        let yaml = try String(contentsOfFile: output.path("man5/siftd.yaml.5"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("\n.TH SIFTD.YAML 5 "), yaml)
        let shipped = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("config/siftd.yaml"), encoding: .utf8)
        // Yams's reading of the file, not the generator's: an empty string counts as a key here.
        let keys = try ConfigFileKeys.keys(ofYAML: shipped.replacingOccurrences(of: ": \"\"", with: ": \"set\""), path: "siftd.yaml")
        for key in ["state_dir", "socket.owner", "model.base", "retrain.gate.weight.seed", "authorization.rollback.groups"] {
            XCTAssertTrue(keys.contains(key), "\(key) not read from config/siftd.yaml: \(keys)")
        }
        for key in keys {
            XCTAssertTrue(yaml.contains("\n\\fB\(key)\\fR: "), "siftd.yaml.5 does not document \(key)")
            XCTAssertTrue(yaml.contains(DaemonConfigLoader.environmentName(of: key)), "siftd.yaml.5 does not name \(key)'s variable")
        }
        // The key's own comment is its description.
        XCTAssertTrue(yaml.contains("\\fBspamc.max_message_bytes\\fR: 10485760\nLargest message in bytes"), yaml)
        XCTAssertTrue(yaml.contains("Option \\fB\\-\\-state\\-dir\\fR; environment"), "state_dir does not name siftd --state-dir")

        // Roff: no line that a formatter would take for an unknown request, no raw non-ASCII.
        for (name, page) in [("sift.1", sift), ("siftd.1", siftd), ("siftd.yaml.5", yaml)] {
            for line in page.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix(".") || line.hasPrefix("'") {
                let request = line.dropFirst().prefix { $0 != " " }
                XCTAssertTrue(Self.requests.contains(String(request)), "\(name): unexpected request line \(line)")
            }
            XCTAssertTrue(page.unicodeScalars.allSatisfy(\.isASCII), "\(name) has characters outside ASCII")
        }
    }

    /// The requests the generator writes (man(7) and the few roff basics it needs).
    static let requests: Set<String> = ["\\\"", "TH", "SH", "SS", "PP", "TP", "RS", "RE", "nf", "fi", "br", "PD", "in", "ti", "ad"]

    /// Every subcommand (as `.SS "sift bench infer"`) and every visible option of each appears.
    static func assertEveryCommandAndOption(of binary: URL, in page: String, page name: String) throws {
        let dump = try BuiltExecutable.run(binary, ["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.errors)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])["command"] as? [String: Any]
        var commands = 0
        func visit(_ command: [String: Any], path: String) {
            if path.contains(" ") {
                commands += 1
                XCTAssertTrue(page.contains(".SS \"\(roff(path))\"\n"), "\(name) has no section for \(path)")
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for spelling in argument["names"] as? [[String: Any]] ?? [] {
                    guard let flag = spelling["name"] as? String else { continue }
                    let dashes = spelling["kind"] as? String == "long" ? "--" : "-"
                    XCTAssertTrue(page.contains(roff(dashes + flag)), "\(name) does not mention \(path)'s \(dashes + flag)")
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let subName = sub["commandName"] as? String, subName != "help" else { continue }
                visit(sub, path: path + " " + subName)
            }
        }
        visit(try XCTUnwrap(root), path: try XCTUnwrap(root?["commandName"] as? String))
        XCTAssertGreaterThan(commands, 1, "\(name): no subcommands found in the dump")
    }

    static func roff(_ text: String) -> String { text.replacingOccurrences(of: "-", with: "\\-") }

    /// A directory holding the built sift and siftd (links), as scripts take them.
    static func binaries() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (name, override) in [("sift", "SIFT_BINARY"), ("siftd", "SIFTD_BINARY")] {
            try FileManager.default.createSymbolicLink(
                at: directory.url.appendingPathComponent(name), withDestinationURL: try BuiltExecutable.url(name, override: override))
        }
        return directory
    }

    /// Runs scripts/NAME from the checkout.
    static func script(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, output: String, errors: String)
    {
        try BuiltExecutable.run(SharedFixtures.packageRoot.appendingPathComponent("scripts/\(name)"), arguments, environment: environment)
    }
}
