import Foundation
import TestSupport
import XCTest
@testable import SiftDaemon

final class DaemonConfigTests: XCTestCase {
    private var directory: ShortTemporaryDirectory!

    override func setUpWithError() throws { directory = try ShortTemporaryDirectory() }
    override func tearDown() { directory = nil }

    private func writeYAML(_ text: String) throws -> String {
        let path = directory.file("siftd-\(UUID().uuidString).yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func load(file: String?, overrides: [String: String] = [:], environment: [String: String] = [:]) async throws -> DaemonConfig {
        try await DaemonConfigLoader(file: file, overrides: overrides, environment: environment).load()
    }

    private func expectError(key: String, file: String? = nil, environment: [String: String] = [:],
                             line: UInt = #line) async {
        do {
            _ = try await load(file: file, environment: environment)
            XCTFail("accepted a bad \(key)", line: line)
        } catch let error as DaemonConfigError {
            XCTAssertEqual(error.key, key, "\(error)", line: line)
            XCTAssertTrue(error.description.contains(key), line: line)
        } catch {
            XCTFail("unexpected \(error)", line: line)
        }
    }

    func testTheShippedConfigFileLoadsWithTheDocumentedDefaults() async throws {
        let shipped = SharedFixtures.packageRoot.appendingPathComponent("config/siftd.yaml").path
        let config = try await load(file: shipped)
        var expected = DaemonConfig()
        for operation in AuthorizationPolicy.guardedOperations {
            expected.authorization.rules[operation] = AuthorizationPolicy.Rule(uids: [0])
        }
        XCTAssertEqual(config, expected)
    }

    func testNoFileMeansDefaults() async throws {
        let config = try await load(file: nil)
        XCTAssertEqual(config, DaemonConfig())
    }

    func testEnvironmentOverridesTheFileAndOptionsOverrideBoth() async throws {
        let file = try writeYAML("""
            socket:
              path: /tmp/from-file.sock
              mode: "0600"
            limits:
              max_connections: 10
            authorization:
              correct:
                uids: [0, 1000]
                groups: [root]
            """)
        let environment = ["SIFT_SOCKET_PATH": "/tmp/from-env.sock", "SIFT_LIMITS_MAX_CONNECTIONS": "20",
                           "SIFT_AUTHORIZATION_LABEL_UIDS": "5, 6", "UNRELATED": "x"]
        let fromEnvironment = try await load(file: file, environment: environment)
        XCTAssertEqual(fromEnvironment.socket.path, "/tmp/from-env.sock")
        XCTAssertEqual(fromEnvironment.socket.mode, 0o600)
        XCTAssertEqual(fromEnvironment.limits.maxConnections, 20)
        XCTAssertEqual(fromEnvironment.authorization.rules["correct"], AuthorizationPolicy.Rule(uids: [0, 1000], gids: [0]))
        XCTAssertEqual(fromEnvironment.authorization.rules["label"], AuthorizationPolicy.Rule(uids: [5, 6]))

        let fromOptions = try await load(file: file, overrides: ["socket.path": "/tmp/from-option.sock", "state_dir": "/tmp/st"],
                                         environment: environment)
        XCTAssertEqual(fromOptions.socket.path, "/tmp/from-option.sock")
        XCTAssertEqual(fromOptions.stateDirectory, "/tmp/st")
        XCTAssertEqual(fromOptions.storePath, "/tmp/st/sift.sqlite")
        XCTAssertEqual(fromOptions.baseModelDirectory, "/tmp/st/base")
    }

    func testRetrainSettingsAndTheirUnits() async throws {
        let file = try writeYAML("""
            retrain:
              interval: 15m
              min_new_labels: 50
              trainable: last-2-blocks
              learning_rate: 1e-4
              strategy: joint
              replay_per_label: 8
              distill: 0.25
              interpolate: 0.5
              seed: 42
              gate:
                tolerance: 0.005
                confidence: 0.99
                weight:
                  seed: 3
              max_share_per_uid: 0.3
              trusted_uids: [0, 1000]
              timeout: 2h
            """)
        let config = try await load(file: file, environment: ["SIFT_RETRAIN_KEEP_MODELS": "3", "SIFT_RETRAIN_ENABLED": "no"])
        XCTAssertEqual(config.retrain.intervalSeconds, 900)
        XCTAssertEqual(config.retrain.minNewLabels, 50)
        XCTAssertEqual(config.retrain.trainable, "last-2-blocks")
        XCTAssertEqual(config.retrain.learningRate, 1e-4)
        XCTAssertEqual(config.retrain.strategy, .joint)
        XCTAssertEqual(config.retrain.replayPerLabel, 8)
        XCTAssertEqual(config.retrain.distill, 0.25)
        XCTAssertEqual(config.retrain.interpolate, 0.5)
        XCTAssertEqual(config.retrain.seed, 42)
        XCTAssertEqual(config.retrain.gate.tolerance, 0.005)
        XCTAssertEqual(config.retrain.gate.confidence, 0.99)
        XCTAssertEqual(config.retrain.gate.weights, ["labels": 1, "seed": 3])
        XCTAssertEqual(config.retrain.maxSharePerUID, 0.3)
        XCTAssertEqual(config.retrain.trustedUIDs, [0, 1000])
        XCTAssertEqual(config.retrain.timeoutSeconds, 7200)
        XCTAssertEqual(config.retrain.keepModels, 3)
        XCTAssertFalse(config.retrain.enabled)
        XCTAssertEqual(config.modelsDirectory, "/var/lib/sift/models")

        await expectError(key: "retrain.interval", file: try writeYAML("retrain:\n  interval: soon\n"))
        await expectError(key: "retrain.interval", file: try writeYAML("retrain:\n  interval: 0s\n"))
        await expectError(key: "retrain.trainable", file: try writeYAML("retrain:\n  trainable: everything\n"))
        await expectError(key: "retrain.gate.tolerance", file: try writeYAML("retrain:\n  gate:\n    tolerance: 2\n"))
        await expectError(key: "retrain.tolerance.accuracy", file: try writeYAML("retrain:\n  tolerance:\n    accuracy: 0.02\n"))
        do {
            _ = try await load(file: try writeYAML("retrain:\n  tolerance:\n    spam_recall: 0.02\n"))
            XCTFail("an old setting loaded")
        } catch let error as DaemonConfigError {
            XCTAssertTrue(error.description.contains("replaced by retrain.gate.tolerance"), error.description)
        }
        await expectError(key: "retrain.strategy", file: try writeYAML("retrain:\n  strategy: lukewarm\n"))
        await expectError(key: "retrain.gate.weight", file: try writeYAML("retrain:\n  gate:\n    weight: {labels: 0, seed: 0}\n"))
        await expectError(key: "retrain.trusted_uids", file: try writeYAML("retrain:\n  trusted_uids: [no-such-user-here]\n"))
        await expectError(key: "retrain.distill", environment: ["SIFT_RETRAIN_DISTILL": "1"])
        await expectError(key: "retrain.learning_rate", environment: ["SIFT_RETRAIN_LEARNING_RATE": "fast"])
        await expectError(key: "retrain.seed_data", environment: ["SIFT_RETRAIN_SEED_DATA": "/no/such/seed.tsv"])
    }

    func testTheConfigFileCanBeNamedByEnvironment() async throws {
        let file = try writeYAML("batching:\n  max_batch_size: 7\n")
        let loader = DaemonConfigLoader(file: nil, environment: ["SIFT_CONFIG": file])
        XCTAssertEqual(loader.resolvedFile, file)
        let config = try await loader.load()
        XCTAssertEqual(config.batching.maxBatchSize, 7)
    }

    func testInvalidValuesAreRejectedNamingTheirKey() async throws {
        await expectError(key: "limits.max_connections", file: try writeYAML("limits:\n  max_connections: many\n"))
        await expectError(key: "limits.max_line_bytes", file: try writeYAML("limits:\n  max_line_bytes: 10\n"))
        await expectError(key: "socket.mode", file: try writeYAML("socket:\n  mode: \"0999\"\n"))
        await expectError(key: "socket.path", file: try writeYAML("socket:\n  path: /\(String(repeating: "x", count: 120))\n"))
        await expectError(key: "socket.group", file: try writeYAML("socket:\n  group: no-such-group-here\n"))
        await expectError(key: "model.pooling", file: try writeYAML("model:\n  pooling: middle\n"))
        await expectError(key: "authorization.allow_own_uid", file: try writeYAML("authorization:\n  allow_own_uid: maybe\n"))
        await expectError(key: "authorization.forget.groups", file: try writeYAML("authorization:\n  forget:\n    groups: [no-such-group-here]\n"))
        await expectError(key: "batching.max_batch_size", file: try writeYAML("batching:\n  max_batch_size: [1, 2]\n"))
        await expectError(key: "log.level", environment: ["SIFT_LOG_LEVEL": "loud"])
        await expectError(key: "journal.id_block", environment: ["SIFT_JOURNAL_ID_BLOCK": "0"])
        await expectError(key: "classify.spam_threshold", environment: ["SIFT_CLASSIFY_SPAM_THRESHOLD": "1.5"])
        await expectError(key: "classify.spam_threshold", environment: ["SIFT_CLASSIFY_SPAM_THRESHOLD": "0"])
        await expectError(key: "classify.ham_threshold", environment: ["SIFT_CLASSIFY_SPAM_THRESHOLD": "0.9", "SIFT_CLASSIFY_HAM_THRESHOLD": "0.95"])
        await expectError(key: "classify.ham_threshold", file: try writeYAML("classify:\n  ham_threshold: low\n"))
    }

    func testClassifyThresholds() async throws {
        let defaults = try await load(file: nil)
        XCTAssertEqual(defaults.classify, ClassifyThresholds(spam: 0.5, ham: nil))
        let file = try writeYAML("classify:\n  spam_threshold: 0.9\n  ham_threshold: 0.3\n")
        let configured = try await load(file: file)
        XCTAssertEqual(configured.classify, ClassifyThresholds(spam: 0.9, ham: 0.3))
        let overridden = try await load(file: file, environment: ["SIFT_CLASSIFY_HAM_THRESHOLD": ""])
        XCTAssertEqual(overridden.classify, ClassifyThresholds(spam: 0.9, ham: nil))
    }

    func testAKeySiftdDoesNotKnowIsAnErrorWithASuggestion() async throws {
        let file = try writeYAML("retrain:\n  intervall: 5m\nsocket:\n  mode: \"0600\"\n")
        do {
            _ = try await load(file: file)
            XCTFail("accepted a misspelt key")
        } catch let error as DaemonConfigError {
            XCTAssertEqual(error.key, "retrain.intervall")
            XCTAssertTrue(error.description.contains("did you mean retrain.interval?"), error.description)
        }
        await expectError(key: "colour", file: try writeYAML("colour: blue\n"))
        await expectError(key: "config", file: try writeYAML("- just\n- a list\n"))
        // Lists and nested sections are single settings where siftd expects them.
        let nested = try await load(file: try writeYAML("authorization:\n  retrain:\n    uids: [0, 1]\nretrain:\n  gate:\n    tolerance: 0.02\n"))
        XCTAssertEqual(nested.retrain.gate.tolerance, 0.02)
        // A section whose settings are all commented out sets nothing.
        let commentedOut = try await load(file: try writeYAML("retrain:\n  # interval: 5m\nlog:\n  level: debug\n"))
        XCTAssertEqual(commentedOut.logLevel, "debug")
    }

    func testAFileOfOnlyCommentsIsAnEmptyConfig() async throws {
        let config = try await load(file: try writeYAML("# nothing set yet\n\n"))
        XCTAssertEqual(config, DaemonConfig())
    }

    func testAnUnreadableFileIsAConfigError() async throws {
        await expectError(key: "config", file: directory.file("missing.yaml"))
        await expectError(key: "config", file: try writeYAML("just: [unclosed\n"))
    }

    func testEnvironmentNamesFollowTheKeys() {
        XCTAssertEqual(DaemonConfigLoader.environmentName(of: "socket.path"), "SIFT_SOCKET_PATH")
        XCTAssertEqual(DaemonConfigLoader.environmentName(of: "limits.max_line_bytes"), "SIFT_LIMITS_MAX_LINE_BYTES")
    }

    // MARK: - store.* and journal.when_full (issue 19)

    func testAPostgresStoreURLMakesTheStoreSharedAndDropsWhenFullByDefault() async throws {
        let shared = try await load(file: try writeYAML("""
            store:
              url: postgresql://sift@/sift?host=/run/postgresql
              node: mx-1
              poll_interval: 5s
              lease: 2m
              listen: false
            """))
        XCTAssertTrue(shared.store.isShared)
        XCTAssertFalse(shared.store.listen)
        XCTAssertNil(shared.sqliteStorePath)
        XCTAssertEqual(shared.store.node, "mx-1")
        XCTAssertEqual(shared.store.pollIntervalSeconds, 5)
        XCTAssertEqual(shared.store.leaseSeconds, 120)
        XCTAssertEqual(shared.journal.whenFull, .drop, "a fleet answers through a database outage")

        let file = try await load(file: try writeYAML("store:\n  url: /srv/sift/store.sqlite\n"))
        XCTAssertFalse(file.store.isShared)
        XCTAssertTrue(file.store.listen, "listening is on by default")
        XCTAssertEqual(file.sqliteStorePath, "/srv/sift/store.sqlite")
        XCTAssertEqual(file.journal.whenFull, .refuse)

        let chosen = try await load(file: nil, environment: [
            "SIFT_STORE_URL": "postgresql://sift@/sift?host=/run/postgresql", "SIFT_JOURNAL_WHEN_FULL": "refuse",
        ])
        XCTAssertTrue(chosen.store.isShared)
        XCTAssertEqual(chosen.journal.whenFull, .refuse)
    }

    func testBadStoreSettingsAreRefusedNamingTheKey() async throws {
        await expectError(key: "store.url", file: try writeYAML("store:\n  url: postgresql://sift@host:notaport/sift\n"))
        await expectError(key: "store.node", file: try writeYAML("store:\n  node: \"mx 1\"\n"))
        await expectError(key: "store.poll_interval", file: try writeYAML("store:\n  poll_interval: 0s\n"))
        await expectError(key: "store.lease", file: try writeYAML("store:\n  lease: 1s\n"))
        await expectError(key: "store.listen", file: try writeYAML("store:\n  listen: sometimes\n"))
        await expectError(key: "journal.when_full", file: try writeYAML("journal:\n  when_full: block\n"))
    }
}
