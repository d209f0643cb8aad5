import ArgumentParser
import Foundation
import SiftBench
import SiftJSON
import SpamStore
import SpamStorePostgres

/// `sift bench store`: how many predictions per second the journal can record in batches
/// (the goal is at least 20,000/s), and how long a client waits for one label to be
/// committed. Runs against a fresh database in a temporary directory, or with `--store-url
/// postgresql://…` in a scratch database created in that cluster and dropped afterwards.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Prediction journaling throughput and label commit latency of the store (SQLite, or PostgreSQL with --store-url).")

    static let goalPredictionsPerSecond = 20_000.0

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    @Option(help: "Predictions to record.")
    var count = 100_000

    @Option(help: "Predictions per transaction, as the daemon's journal batches them.")
    var batchSize = 64

    @Option(help: "Labels to add one at a time for the latency figures.")
    var labels = 1_000

    @Option(help: "Directory for the temporary database (default: the system temp directory). Use the state directory's file system to measure its fsync.")
    var directory: String?

    @Option(help: ArgumentHelp(
        "Measure PostgreSQL instead: postgresql://user@/db?host=/socket/dir or postgresql://user:pw@host:port/db. The role needs CREATEDB: the run uses a scratch database, dropped afterwards.",
        valueName: "url"))
    var storeURL: String?

    func validate() throws {
        guard count > 0, batchSize > 0, labels > 0 else {
            throw ValidationError("--count, --batch-size and --labels must be positive")
        }
        if storeURL != nil, directory != nil {
            throw ValidationError("--directory is for the SQLite store; --store-url measures PostgreSQL")
        }
    }

    func run() async throws {
        if let storeURL {
            let server = try PostgresURL(storeURL)
            let (result, version) = try StoreBenchmark.run(postgres: server, predictions: count, batchSize: batchSize, labels: labels)
            if json {
                CLI.printJSON(postgresJSONReport(result, serverVersion: version))
            } else {
                print(postgresSummary(result, serverVersion: version, server: server))
            }
            return
        }
        let parent = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let workDirectory = parent.appendingPathComponent("sift-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }

        let result = try StoreBenchmark.run(in: workDirectory, predictions: count, batchSize: batchSize, labels: labels)
        let sqliteVersion = try StoreInfo.sqliteVersion()
        if json {
            CLI.printJSON(jsonReport(result, sqliteVersion: sqliteVersion))
        } else {
            print(summary(result, sqliteVersion: sqliteVersion, directory: parent.path))
        }
    }

    private func summary(_ result: StoreBenchmark.Result, sqliteVersion: String, directory: String) -> String {
        let goalMet = result.predictionsPerSecond >= Self.goalPredictionsPerSecond
        return """
            store benchmark (SQLite \(sqliteVersion), WAL; labels fsynced at commit, journal batches not; database in \(directory))
              predictions: \(result.predictions) in batches of \(result.batchSize): \
            \(format(result.predictionsPerSecond, 0))/s (goal ≥ \(format(Self.goalPredictionsPerSecond, 0))/s: \(goalMet ? "met" : "NOT met"))
              add one label (\(result.labels) commits): p50 \(format(result.labelLatencyP50Milliseconds, 3)) ms, \
            p99 \(format(result.labelLatencyP99Milliseconds, 3)) ms, max \(format(result.labelLatencyMaxMilliseconds, 3)) ms
            """
    }

    private func postgresSummary(_ result: StoreBenchmark.Result, serverVersion: String, server: PostgresURL) -> String {
        let goalMet = result.predictionsPerSecond >= Self.goalPredictionsPerSecond
        return """
            store benchmark (PostgreSQL \(serverVersion) at \(server); labels committed with synchronous_commit on, \
            journal batches with it off; scratch database, dropped afterwards)
              predictions: \(result.predictions) in batches of \(result.batchSize): \
            \(format(result.predictionsPerSecond, 0))/s (goal ≥ \(format(Self.goalPredictionsPerSecond, 0))/s: \(goalMet ? "met" : "NOT met"))
              add one label (\(result.labels) commits): p50 \(format(result.labelLatencyP50Milliseconds, 3)) ms, \
            p99 \(format(result.labelLatencyP99Milliseconds, 3)) ms, max \(format(result.labelLatencyMaxMilliseconds, 3)) ms
            """
    }

    private func postgresJSONReport(_ result: StoreBenchmark.Result, serverVersion: String) -> JSONValue {
        // The SQLite report's fields, the engine and its version in place of SQLite's.
        guard case let .object(fields) = jsonReport(result, sqliteVersion: "") else { preconditionFailure("an object") }
        var report = fields.filter { $0.key != "sqlite_version" }
        report.insert(contentsOf: [(key: "engine", value: "postgresql"), (key: "postgresql_version", value: .string(serverVersion))], at: 1)
        return .object(report)
    }

    private func jsonReport(_ result: StoreBenchmark.Result, sqliteVersion: String) -> JSONValue {
        [
            "benchmark": "store", "sqlite_version": .string(sqliteVersion),
            "predictions": .int(Int64(result.predictions)), "batch_size": .int(Int64(result.batchSize)),
            "predictions_per_second": .double(result.predictionsPerSecond.rounded()),
            "goal_predictions_per_second": .double(Self.goalPredictionsPerSecond),
            "goal_met": .bool(result.predictionsPerSecond >= Self.goalPredictionsPerSecond),
            "labels": .int(Int64(result.labels)),
            "label_latency_ms": [
                "p50": .double(microsecondPrecision(result.labelLatencyP50Milliseconds)),
                "p99": .double(microsecondPrecision(result.labelLatencyP99Milliseconds)),
                "max": .double(microsecondPrecision(result.labelLatencyMaxMilliseconds)),
            ],
        ]
    }

    private func microsecondPrecision(_ milliseconds: Double) -> Double {
        (milliseconds * 1_000).rounded() / 1_000
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
