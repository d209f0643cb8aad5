import ArgumentParser
import FineTune
import Foundation
import GPT2Tokenizer
import SiftJSON

/// `sift bench tokenizer`: encoding speed on one thread, with an empty and with a full word cache.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Tokens per second encoding every SMS text on one thread, cold and warm word cache.",
        discussion: """
            Cold: the word cache is emptied before the pass, so every distinct word goes through \
            BPE once. Warm: the same texts again with the cache full. Each figure is the median \
            of --repeats passes. The texts are the part after the first TAB of each line of \
            --data (default ../shared/data/sms-spam-collection/SMSSpamCollection, or under \
            $SIFT_SHARED); lines without a TAB are used whole.
            """)

    @Option(help: "Directory with the tokenizer files (default: $SIFT_VOCAB, else ../shared/data/gpt2-tokenizer).")
    var vocab: String?

    @Option(help: "Text file, label<TAB>text per line.")
    var data: String?

    @Option(help: "Passes per figure; the median is reported.")
    var repeats: Int = 5

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let vocabularyDirectory = try TokenizerDirectory.resolve(vocab) { try CLI.defaultTokenizerDirectory(option: "--vocab DIR (or $SIFT_VOCAB)") }
        let clock = ContinuousClock()
        var tokenizer: BPETokenizer?
        let loadTime = try clock.measure { tokenizer = try BPETokenizer(directory: vocabularyDirectory) }
        guard let tokenizer else { return }
        let dataFile = try data.map { URL(fileURLWithPath: $0) } ?? CLI.defaultSMSFile()
        let texts = try LabeledDataReader.read(dataFile).map(\.text)
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }

        var tokens = 0
        func encodeAll() -> Double {
            var count = 0
            let elapsed = clock.measure { for text in texts { count += tokenizer.encode(text).count } }
            tokens = count
            return Self.seconds(elapsed)
        }
        let cold = Self.median((0..<repeats).map { _ in
            tokenizer.clearCache()
            return encodeAll()
        })
        let warm = Self.median((0..<repeats).map { _ in encodeAll() })

        if json {
            CLI.printJSON([
                "texts": .int(Int64(texts.count)), "bytes": .int(Int64(bytes)), "tokens": .int(Int64(tokens)),
                "load_seconds": .double(Self.seconds(loadTime)), "repeats": .int(Int64(repeats)),
                "cold": ["seconds": .double(cold), "tokens_per_second": .double(Double(tokens) / cold)],
                "warm": ["seconds": .double(warm), "tokens_per_second": .double(Double(tokens) / warm)],
            ])
        } else {
            print("""
                tokenizer: \(texts.count) texts, \(bytes) bytes, \(tokens) tokens from \(dataFile.path)
                  vocabulary \(vocabularyDirectory.path) loaded in \(Self.milliseconds(Self.seconds(loadTime)))
                  cold cache: \(Self.milliseconds(cold)) per pass, \(Self.millions(Double(tokens) / cold)) tokens/s
                  warm cache: \(Self.milliseconds(warm)) per pass, \(Self.millions(Double(tokens) / warm)) tokens/s
                  (one thread, median of \(repeats) passes)
                """)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        duration / .seconds(1)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.1f ms", seconds * 1000)
    }

    private static func millions(_ perSecond: Double) -> String {
        String(format: "%.2f million", perSecond / 1e6)
    }
}

