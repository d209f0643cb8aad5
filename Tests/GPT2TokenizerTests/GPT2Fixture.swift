import Foundation
import GPT2Tokenizer
import Synchronization
import TestSupport

/// The real GPT-2 tokenizer from `shared/data/gpt2-tokenizer`, loaded once for all tests
/// (loading takes a noticeable moment in debug builds).
enum GPT2Fixture {
    private static let loaded = Mutex<BPETokenizer?>(nil)

    static func tokenizer() throws -> BPETokenizer {
        let directory = try SharedFixtures.require("data/gpt2-tokenizer")
        if let tokenizer = loaded.withLock({ $0 }) { return tokenizer }
        let tokenizer = try BPETokenizer(directory: directory)
        loaded.withLock { $0 = tokenizer }
        return tokenizer
    }

    /// The texts of the SMS Spam Collection (`label<TAB>text` per line).
    static func smsTexts() throws -> [String] {
        let url = try SharedFixtures.require("data/sms-spam-collection/SMSSpamCollection")
        let content = try String(contentsOf: url, encoding: .utf8)
        return content.split(separator: "\n").map { line in
            guard let tab = line.firstIndex(of: "\t") else { return String(line) }
            return String(line[line.index(after: tab)...])
        }
    }

    static func json(_ relativePath: String) throws -> Any {
        let url = try SharedFixtures.require(relativePath)
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }
}
