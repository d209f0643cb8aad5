import Foundation
import TestSupport
import XCTest

/// scripts/install and scripts/uninstall in staged mode (--root): what lands where, the model
/// put in place or the commands to do it, and no users or systemctl touched.
final class InstallScriptTests: XCTestCase {
    func testHelpIsTheHeaderAndNamesEveryOption() throws {
        for name in ["install", "uninstall"] {
            let run = try HelpAndManualTests.script(name, ["--help"])
            XCTAssertEqual(run.status, 0, run.errors)
            XCTAssertFalse(run.output.contains("set -euo"), "\(name) --help shows code:\n\(run.output)")
            let source = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("scripts/\(name)"), encoding: .utf8)
            let options = source.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("--"), let end = trimmed.firstIndex(where: { $0 == ")" || $0 == "|" }) else { return nil }
                return String(trimmed[..<end])
            }
            XCTAssertFalse(options.isEmpty, "no options found in scripts/\(name)")
            for option in options {
                XCTAssertTrue(run.output.contains(option), "\(name) --help does not explain \(option):\n\(run.output)")
            }
        }
    }

    func testStagedInstallPutsEverythingInPlaceAndSaysHowToAddAModel() throws {
        let work = try TemporaryDirectory()
        let binaries = try HelpAndManualTests.binaries()
        let stubs = try Self.stubs(in: work)
        let root = work.path("root")
        let seed = work.path("seed.tsv")
        try "spam\tWIN now\nham\tsee you\n".write(toFile: seed, atomically: true, encoding: .utf8)
        let environment = ["SIFT_BIN": binaries.url.path, "PATH": stubs.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]

        let first = try HelpAndManualTests.script("install", ["--root", root, "--seed-data", seed], environment: environment)
        XCTAssertEqual(first.status, 0, first.errors)
        for file in ["usr/local/bin/sift", "usr/local/bin/siftd"] {
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: root + "/" + file), file)
        }
        for file in ["etc/systemd/system/siftd.service", "etc/systemd/system/siftd.socket", "etc/systemd/system/sift-retrain.timer",
                     "etc/systemd/system/sift-metrics.timer", "usr/local/share/doc/sift/operations.md"] + Self.generated {
            XCTAssertGreaterThan(try Self.size(root + "/" + file), 0, "\(file) is missing or empty")
        }
        XCTAssertTrue(try String(contentsOfFile: root + "/usr/local/share/man/man1/sift.1", encoding: .utf8).hasPrefix(".\\\""))
        let config = try String(contentsOfFile: root + "/etc/sift/siftd.yaml", encoding: .utf8)
        XCTAssertTrue(config.contains("  seed_data: /var/lib/sift/seed/seed.tsv\n"), config)
        // The bash completion loads and completes sift.
        let completion = try BuiltExecutable.run(
            URL(fileURLWithPath: "/bin/bash"), ["-c", "source \"$1\" && complete -p sift", "bash", root + "/usr/local/share/bash-completion/completions/sift"])
        XCTAssertEqual(completion.status, 0, completion.errors)
        XCTAssertTrue(completion.output.contains(" sift"), completion.output)
        // No model given: the exact commands to put one in place.
        for hint in ["no base model in /var/lib/sift/base", "exit 78", "scripts/fetch-gpt2 models/gpt2",
                     "scripts/install --root \(root) --base-model models/gpt2", "--classifier", "sudo -u sift siftd train"] {
            XCTAssertTrue(first.errors.contains(hint), "no \"\(hint)\" in:\n\(first.errors)")
        }

        // Again, with a model and a classifier: copied to where siftd looks by default.
        let model = work.path("gpt2")
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        for file in ["model.safetensors", "config.json", "vocab.json", "merges.txt"] {
            try "contents of \(file)".write(toFile: model + "/" + file, atomically: true, encoding: .utf8)
        }
        let classifier = work.path("classifier-gpt2.safetensors")
        try "a classifier".write(toFile: classifier, atomically: true, encoding: .utf8)
        let second = try HelpAndManualTests.script("install", ["--root", root, "--base-model", model, "--classifier", classifier], environment: environment)
        XCTAssertEqual(second.status, 0, second.errors)
        for file in ["model.safetensors", "config.json", "vocab.json", "merges.txt"] {
            XCTAssertEqual(try String(contentsOfFile: root + "/var/lib/sift/base/" + file, encoding: .utf8), "contents of \(file)")
        }
        XCTAssertEqual(try String(contentsOfFile: root + "/var/lib/sift/base/head.safetensors", encoding: .utf8), "a classifier")
        XCTAssertFalse(second.errors.contains("no base model"), second.errors)
        XCTAssertFalse(second.errors.contains("no classifier"), second.errors)
        XCTAssertTrue(second.output.contains("kept your /etc/sift/siftd.yaml"), second.output)

        // Staged: no users, groups, ownership or systemctl.
        XCTAssertFalse(FileManager.default.fileExists(atPath: stubs.log), (try? String(contentsOfFile: stubs.log, encoding: .utf8)) ?? "")

        let removed = try HelpAndManualTests.script("uninstall", ["--root", root], environment: environment)
        XCTAssertEqual(removed.status, 0, removed.errors)
        for file in ["usr/local/bin/sift", "etc/systemd/system/siftd.service", "etc/systemd/system/sift-metrics.timer"] + Self.generated {
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/" + file), "uninstall left \(file)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/var/lib/sift/base/model.safetensors"), "uninstall removed the state")
    }

    func testAnIncompleteModelDirectoryIsRefusedBeforeAnythingIsInstalled() throws {
        let work = try TemporaryDirectory()
        let binaries = try HelpAndManualTests.binaries()
        let model = work.path("gpt2")
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        for file in ["model.safetensors", "config.json", "vocab.json"] {
            try "x".write(toFile: model + "/" + file, atomically: true, encoding: .utf8)
        }
        let run = try HelpAndManualTests.script(
            "install", ["--root", work.path("root"), "--base-model", model], environment: ["SIFT_BIN": binaries.url.path])
        XCTAssertEqual(run.status, 1, run.errors)
        XCTAssertTrue(run.errors.contains("has no merges.txt"), run.errors)
        XCTAssertTrue(run.errors.contains("scripts/fetch-gpt2"), run.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.path("root/usr/local/bin")), "installed despite the error")
    }

    func testSiftBinWithoutTheBinariesSaysSo() throws {
        let work = try TemporaryDirectory()
        let run = try HelpAndManualTests.script("install", ["--root", work.path("root")], environment: ["SIFT_BIN": work.url.path])
        XCTAssertEqual(run.status, 1, run.errors)
        XCTAssertTrue(run.errors.contains("\(work.url.path)/sift is missing"), run.errors)
        XCTAssertTrue(run.errors.contains("SIFT_BIN"), run.errors)
    }

    /// The man pages and completions, generated at install time.
    static let generated = [
        "usr/local/share/man/man1/sift.1", "usr/local/share/man/man1/siftd.1", "usr/local/share/man/man5/siftd.yaml.5",
        "usr/local/share/bash-completion/completions/sift", "usr/local/share/bash-completion/completions/siftd",
        "usr/local/share/zsh/site-functions/_sift", "usr/local/share/zsh/site-functions/_siftd",
        "usr/local/share/fish/vendor_completions.d/sift.fish", "usr/local/share/fish/vendor_completions.d/siftd.fish",
    ]

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Stand-ins for the commands a real install runs as root; each records its call in `log`.
    static func stubs(in work: TemporaryDirectory) throws -> (directory: String, log: String) {
        let directory = work.path("stubs")
        let log = work.path("stub-calls.log")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for command in ["systemctl", "useradd", "groupadd", "usermod", "getent", "chown"] {
            let script = "#!/bin/sh\necho \"\(command) $*\" >> '\(log)'\n"
            _ = FileManager.default.createFile(atPath: directory + "/" + command, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        }
        return (directory, log)
    }
}
