import ArgumentParser
import Foundation
import SiftBench
import SiftJSON
import SpamStore

/// `sift bench journal`: messages per second the daemon's journal path records, by text size,
/// distinct or repeated texts, and with journal.durable's fsync per batch.
struct BenchJournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Recording rate of the daemon's journal path by text size, distinct vs. repeated texts, and with journal.durable.",
        discussion: """
            Texts of 256 bytes or more are stored once per distinct content, so distinct long \
            texts cost an extra row and index entry each, and repeated ones almost nothing. \
            --durable fsyncs every batch, as journal.durable does (then measure on the state \
            directory's file system with --directory).
            """)

    @Option(help: "Text sizes in bytes, comma-separated.")
    var sizes = "50,300,1000,8000"

    @Option(help: "Messages per run.")
    var count = 20_000

    @Option(help: "Messages per transaction.")
    var batchSize = 64

    @Flag(help: "fsync every batch (journal.durable).")
    var durable = false

    @Option(help: "Directory for the temporary database (default: the system temp directory).")
    var directory: String?

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func run() async throws {
        let textSizes = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !textSizes.isEmpty, textSizes.allSatisfy({ $0 > 0 }), count > 0, batchSize > 0 else {
            throw ValidationError("--sizes must list positive byte counts; --count and --batch-size must be positive")
        }
        let parent = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        var rows: [(textBytes: Int, distinct: Bool, messagesPerSecond: Double)] = []
        for size in textSizes {
            for distinct in [true, false] {
                let rate = try JournalRateBenchmark.rowsPerSecond(
                    in: parent, messages: count, batchSize: batchSize, textBytes: size, distinctTexts: distinct, durable: durable)
                rows.append((size, distinct, rate.rounded()))
            }
        }
        if json {
            CLI.printJSON([
                "benchmark": "journal", "durable": .bool(durable), "batch_size": .int(Int64(batchSize)), "messages": .int(Int64(count)),
                "runs": .array(rows.map {
                    ["text_bytes": .int(Int64($0.textBytes)), "distinct": .bool($0.distinct), "messages_per_second": .double($0.messagesPerSecond)]
                }),
            ])
            return
        }
        print("journal (reserved ids, batches of \(batchSize)\(durable ? ", fsync per batch" : ""), \(count) messages a run)")
        for row in rows {
            print(String(format: "  %6d-byte texts, %@: %8.0f messages/s", row.textBytes,
                         row.distinct ? "distinct " : "identical", row.messagesPerSecond))
        }
    }
}
