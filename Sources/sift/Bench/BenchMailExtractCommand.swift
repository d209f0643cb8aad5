import ArgumentParser
import Foundation
import SiftJSON
import SiftMail

/// `sift bench mail-extract`: raw emails to model text (SiftMail) on one thread.
struct BenchMailExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail-extract",
        abstract: "Messages and megabytes per second turning raw emails into model text, one thread.",
        discussion: """
            Every message in the folders of --corpus (default ../shared/data/spamassassin-public-corpus, \
            or under $SIFT_SHARED; its spam/ and easy_ham/ folders) is read into memory first; \
            then each pass extracts the model text of every message. The figure is the median \
            of --repeats passes. The goal (issue 16) is at least 2,000 messages/s.

            It also times one 10 MiB message (a text part, a 10 MiB base64 attachment, a large \
            HTML part) against its first 8 KiB alone: the model text is the same, and so, nearly, \
            should be the time.
            """)

    @Option(help: "Directory with folders of raw messages (spam/, easy_ham/, …).")
    var corpus: String?

    @Option(help: "Model-text budget in characters (Unicode scalars).")
    var budget: Int = MailText.defaultBudget

    @Option(help: "Passes; the median is reported.")
    var repeats: Int = 5

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if budget < 1 { throw ValidationError("--budget must be at least 1") }
    }

    func run() throws {
        let corpus = try MailCorpus(directory: corpus.map { URL(fileURLWithPath: $0) } ?? MailCorpus.defaultDirectory())
        let directory = corpus.directory
        let messages = corpus.messages.map(\.bytes)
        let bytes = corpus.byteCount

        let (seconds, failures, characters) = Self.extractionSeconds(messages, budget: budget, repeats: repeats)
        let perSecond = Double(messages.count) / seconds
        let megabytesPerSecond = Double(bytes) / 1e6 / seconds
        let large = Self.largeMessage()
        let largeMs = Self.medianMilliseconds(repeats: 21) { _ = try? MailText.modelText(of: large, budget: budget) }
        let prefixMs = Self.medianMilliseconds(repeats: 21) { _ = try? MailText.modelText(of: Array(large.prefix(8192)), budget: budget) }

        if json {
            CLI.printJSON([
                "messages": .int(Int64(messages.count)), "bytes": .int(Int64(bytes)), "budget": .int(Int64(budget)),
                "characters": .int(Int64(characters)), "failures": .int(Int64(failures)), "repeats": .int(Int64(repeats)),
                "seconds": .double(seconds), "messages_per_second": .double(perSecond), "mb_per_second": .double(megabytesPerSecond),
                "large_message_bytes": .int(Int64(large.count)), "large_message_ms": .double(largeMs),
                "large_message_first_8k_ms": .double(prefixMs),
            ])
        } else {
            print("""
                mail-extract: \(messages.count) messages, \(bytes) bytes from \(directory.path)
                  \(String(format: "%.1f ms", seconds * 1000)) per pass: \(String(format: "%.0f", perSecond)) messages/s, \
                \(String(format: "%.1f", megabytesPerSecond)) MB/s
                  \(characters) characters of model text (budget \(budget)), \(failures) messages without text
                  (one thread, median of \(repeats) passes)
                  a \(large.count >> 20) MiB message: \(String(format: "%.2f", largeMs)) ms; its first 8 KiB alone: \
                \(String(format: "%.2f", prefixMs)) ms (median of 21)
                """)
        }
    }

    /// A text part, a 10 MiB base64 attachment and a large HTML part.
    private static func largeMessage() -> [UInt8] {
        let attachment = String(repeating: String(repeating: "QUJD", count: 19) + "\n", count: 10 << 20 / 77)
        return Array("""
            Subject: a large message
            From: Sender <sender@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            \(String(repeating: "the quick brown fox ", count: 1000))
            --b
            Content-Type: application/octet-stream; name=big.bin
            Content-Transfer-Encoding: base64

            \(attachment)
            --b
            Content-Type: text/html

            \(String(repeating: "<p>more</p>", count: 100_000))
            --b--
            """.utf8)
    }

    /// The median seconds of `repeats` passes extracting every message on this thread, with how
    /// many gave no text and how many characters the others gave.
    static func extractionSeconds(_ messages: [[UInt8]], budget: Int, repeats: Int) -> (seconds: Double, failures: Int, characters: Int) {
        var failures = 0, characters = 0
        let clock = ContinuousClock()
        let passes = (0..<repeats).map { _ in
            var failed = 0, written = 0
            let elapsed = clock.measure {
                for message in messages {
                    do { written += try MailText.modelText(of: message, budget: budget).unicodeScalars.count } catch { failed += 1 }
                }
            }
            failures = failed
            characters = written
            return elapsed / .seconds(1)
        }.sorted()
        let seconds = passes.count % 2 == 1 ? passes[passes.count / 2] : (passes[passes.count / 2 - 1] + passes[passes.count / 2]) / 2
        return (seconds, failures, characters)
    }

    private static func medianMilliseconds(repeats: Int, _ work: () -> Void) -> Double {
        let clock = ContinuousClock()
        let times = (0..<repeats).map { _ in clock.measure(work) / .milliseconds(1) }.sorted()
        return times[times.count / 2]
    }
}
