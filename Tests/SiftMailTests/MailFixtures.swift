import Foundation
import SiftMail
import TestSupport
import XCTest

/// Builds raw messages for the tests and reads the shared corpus.
enum Mail {
    /// The model text of `text` with its line ends written as `lineEnd`.
    static func text(_ text: String, lineEnd: String = "\n", budget: Int = MailText.defaultBudget) throws -> String {
        let raw = lineEnd == "\n" ? text : text.replacingOccurrences(of: "\n", with: lineEnd)
        return try MailText.modelText(of: Array(raw.utf8), budget: budget)
    }

    /// The body part of a model text (after the blank line that ends the layout's header lines).
    static func body(_ modelText: String) -> String {
        guard let range = modelText.range(of: "\n\n") else { return "" }
        return String(modelText[range.upperBound...])
    }

    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    }

    static let corpusPath = "data/spamassassin-public-corpus"

    /// Every message of the shared corpus, by "folder/name", sorted.
    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let root = try SharedFixtures.require(corpusPath)
        var messages: [(String, [UInt8])] = []
        for folder in ["spam", "easy_ham"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .filter { $0.first?.isNumber == true }.sorted()
            for name in names {
                messages.append(("\(folder)/\(name)", [UInt8](try Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name)))))
            }
        }
        return messages
    }

    static func corpusMessage(_ name: String) throws -> [UInt8] {
        let url = try SharedFixtures.require(corpusPath).appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }
}
