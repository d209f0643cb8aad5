import Foundation
import XCTest
import TestSupport

/// The units in systemd/ pass `systemd-analyze verify` (syntax, known keys, sane values).
/// ExecStart paths point at /usr/local/bin, which this machine does not have, so the test
/// verifies copies whose paths point at stand-in executables.
final class UnitFilesTests: XCTestCase {
    static let units = ["siftd.socket", "siftd.service", "sift-retrain.service", "sift-retrain.timer", "sift-metrics.service", "sift-metrics.timer"]

    func testUnitsVerifyCleanly() throws {
        let analyzer = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyzer) else {
            if SharedFixtures.isCI { return XCTFail("\(analyzer) is missing; scripts/install-deps installs systemd") }
            throw XCTSkip("skipped: \(analyzer) is not installed")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sift-units-\(UUID().uuidString)")
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for tool in ["sift", "siftd"] {
            let path = bin.appendingPathComponent(tool).path
            _ = FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        }
        let source = SharedFixtures.packageRoot.appendingPathComponent("systemd")
        for unit in Self.units {
            let text = try String(contentsOf: source.appendingPathComponent(unit), encoding: .utf8)
            XCTAssertTrue(unit.hasSuffix(".timer") || unit.hasSuffix(".socket") || text.contains("/usr/local/bin/"), unit)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: bin.path + "/")
                .write(to: work.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyzer)
        process.arguments = ["verify", "--man=no"] + Self.units.map { work.appendingPathComponent($0).path }
        process.currentDirectoryURL = work
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        // Unknown keys are only warnings (exit 0), so any output at all is a failure.
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify complained")
    }

    func testServiceIsNotifyTypeWithWatchdogAndHardening() throws {
        let text = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("systemd/siftd.service"), encoding: .utf8)
        for line in ["Type=notify", "NotifyAccess=main", "WatchdogSec=", "Restart=on-failure", "StateDirectory=sift",
                     "RuntimeDirectory=sift", "ConfigurationDirectory=sift", "ExecReload=/bin/kill -HUP $MAINPID",
                     "ProtectSystem=strict", "PrivateNetwork=yes", "RestrictAddressFamilies=AF_UNIX", "NoNewPrivileges=yes",
                     "MemoryDenyWriteExecute=yes", "CapabilityBoundingSet=\n", "UMask=0077", "SystemCallFilter=@system-service"] {
            XCTAssertTrue(text.contains(line), "siftd.service lacks \(line)")
        }
        XCTAssertTrue(text.contains("RestartPreventExitStatus=78"), "a bad config (exit 78) must not restart-loop")
        let socket = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("systemd/siftd.socket"), encoding: .utf8)
        XCTAssertTrue(socket.contains("ListenStream=/run/sift/siftd.sock"))
        XCTAssertTrue(socket.contains("SocketMode=0660"))
        let timer = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("systemd/sift-retrain.timer"), encoding: .utf8)
        XCTAssertTrue(timer.contains("Persistent=true"))
        // A failed run fails the unit: the command waits for the run's end.
        let retrain = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("systemd/sift-retrain.service"), encoding: .utf8)
        XCTAssertTrue(retrain.contains("ExecStart=/usr/local/bin/sift retrain --wait "), retrain)
        let metrics = try String(contentsOf: SharedFixtures.packageRoot.appendingPathComponent("systemd/sift-metrics.service"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("sift metrics --socket /run/sift/siftd.sock --output /"), metrics)
    }

    /// The unit's limits leave room for what the shipped config allows: a socket per connection
    /// (plus the reserve) and the store, model and trainer files; memory high below max.
    func testServiceLimitsFitTheShippedConfig() throws {
        let root = SharedFixtures.packageRoot
        let unit = try String(contentsOf: root.appendingPathComponent("systemd/siftd.service"), encoding: .utf8)
        let config = try String(contentsOf: root.appendingPathComponent("config/siftd.yaml"), encoding: .utf8)
        func value(_ key: String, in text: String, separator: Character) -> String? {
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix(key + String(separator)) }
                .map { String($0.dropFirst(key.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
        func gigabytes(_ text: String?) -> Int? { text.flatMap { $0.hasSuffix("G") ? Int($0.dropLast()) : nil } }
        let files = try XCTUnwrap(value("LimitNOFILE", in: unit, separator: "=").flatMap { Int($0) })
        let connections = try XCTUnwrap(value("max_connections", in: config, separator: ":").flatMap { Int($0) })
        let reserved = try XCTUnwrap(value("reserved_connections", in: config, separator: ":").flatMap { Int($0) })
        XCTAssertGreaterThanOrEqual(files, connections + reserved + 64)
        let high = try XCTUnwrap(gigabytes(value("MemoryHigh", in: unit, separator: "=")))
        let max = try XCTUnwrap(gigabytes(value("MemoryMax", in: unit, separator: "=")))
        XCTAssertLessThan(high, max)
        XCTAssertNotNil(value("TasksMax", in: unit, separator: "=").flatMap { Int($0) })
    }
}
