import Foundation
import GPT2Tokenizer
import TestSupport
import XCTest

/// Missing, truncated and malformed tokenizer files fail with an error that says which file
/// and what is wrong with it.
final class TokenizerFileErrorTests: XCTestCase {
    private var files: ToyTokenizerFiles!

    override func setUpWithError() throws {
        files = try ToyTokenizerFiles(merges: [("h", "e"), ("l", "l"), ("he", "ll")])
    }

    override func tearDown() {
        files.remove()
    }

    /// Loads the toy files and returns the error, failing the test if loading succeeds.
    private func loadError(file: StaticString = #filePath, line: UInt = #line) -> TokenizerFileError? {
        do {
            _ = try BPETokenizer(directory: files.directory)
            XCTFail("loading succeeded", file: file, line: line)
            return nil
        } catch {
            XCTAssert(error.description.contains(files.directory.path), "message names no file: \(error)", file: file, line: line)
            return error
        }
    }

    func testTheUntouchedToyFilesLoad() throws {
        XCTAssertEqual(try BPETokenizer(directory: files.directory).vocabularySize, 256 + 3 + 1)
    }

    // MARK: Missing files

    func testMissingDirectory() {
        let missing = files.directory.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try BPETokenizer(directory: missing)) { error in
            XCTAssertEqual(error as? TokenizerFileError, .missingFile(missing))
        }
    }

    func testDirectoryWithoutTokenizerFiles() throws {
        try FileManager.default.removeItem(at: files.vocabularyURL)
        try FileManager.default.removeItem(at: files.mergesURL)
        XCTAssertEqual(loadError(), .noTokenizerFiles(directory: files.directory))
        XCTAssert(loadError()?.description.contains("vocab.json + merges.txt") == true)
    }

    func testHalfALayoutNamesTheMissingHalf() throws {
        try FileManager.default.removeItem(at: files.mergesURL)
        XCTAssertEqual(loadError(), .missingFile(files.mergesURL))
    }

    func testMissingFileGivenByName() {
        let missing = files.directory.appendingPathComponent("encoder.json")
        XCTAssertThrowsError(try BPETokenizer(vocabulary: missing, merges: files.mergesURL)) { error in
            XCTAssertEqual(error as? TokenizerFileError, .missingFile(missing))
            XCTAssert("\(error)".contains("encoder.json"))
        }
    }

    // MARK: Vocabulary file

    func testEmptyVocabularyIsTruncated() throws {
        try files.write(vocabulary: "")
        guard case .truncated(files.vocabularyURL, _) = loadError() else { return XCTFail("\(String(describing: loadError()))") }
    }

    func testVocabularyCutAnywhereIsTruncated() throws {
        let whole = Array(files.vocabularyJSON.utf8)
        for length in [1, 2, 10, whole.count / 3, whole.count / 2, whole.count - 1] {
            try Data(whole[..<length]).write(to: files.vocabularyURL)
            let error = loadError()
            guard case .truncated(files.vocabularyURL, _) = error else {
                XCTFail("cut at \(length): \(String(describing: error))")
                continue
            }
        }
    }

    func testVocabularyThatIsNotAnObjectOfIntegers() throws {
        let cases = [
            "[\"a\", 1]": "expected a JSON object",
            "{\"a\": \"0\"}": "not a non-negative integer",
            "{\"a\": 1.5}": "not a non-negative integer",
            "{\"a\": -1}": "not a non-negative integer",
            "{\"a\" 0}": "expected ':'",
            "{\"a\": 0 \"b\": 1}": "expected ',' or '}'",
            "{\"a\": 0} x": "after the JSON value",
            "{\"\\q\": 0}": "invalid escape",
            "{\"中\": 0}": "not a character of GPT-2's byte alphabet",
        ]
        for (text, expectedDetail) in cases {
            try files.write(vocabulary: text)
            let error = loadError()
            guard case .malformed(files.vocabularyURL, _, let detail) = error else {
                XCTFail("\(text): \(String(describing: error))")
                continue
            }
            XCTAssert(detail.contains(expectedDetail), "\(text): \(detail)")
        }
    }

    func testDuplicateIDAndDuplicateToken() throws {
        try files.write(vocabulary: files.vocabularyJSON.replacingOccurrences(of: "\"hell\": 258", with: "\"hell\": 257"))
        guard case .malformed(_, _, let detail) = loadError() else { return XCTFail() }
        XCTAssert(detail.contains("id 257 is given to both"), detail)

        try files.write(vocabulary: files.vocabularyJSON.replacingOccurrences(of: "\"hell\": 258", with: "\"he\": 258"))
        guard case .malformed(_, _, let duplicate) = loadError() else { return XCTFail() }
        XCTAssert(duplicate.contains("\"he\" appears more than once"), duplicate)
    }

    func testEveryByteNeedsAToken() throws {
        // Drop the newline byte's token ("Ċ") and close the gap in the ids.
        var json = files.vocabularyJSON.replacingOccurrences(of: "\"Ċ\": 10, ", with: "")
        json = json.replacingOccurrences(of: "\"<|endoftext|>\": 259", with: "\"<|endoftext|>\": 10")
        try files.write(vocabulary: json)
        guard case .malformed(files.vocabularyURL, _, let detail) = loadError() else { return XCTFail() }
        XCTAssert(detail.contains("no token for byte 0xA"), detail)
    }

    // MARK: Merges file

    func testEmptyMergesIsTruncated() throws {
        try files.write(merges: "")
        guard case .truncated(files.mergesURL, _) = loadError() else { return XCTFail() }
    }

    func testMergesCutMidLineIsTruncated() throws {
        try files.write(merges: "#version: 0.2\nh e\nl l\nhe")
        guard case .truncated(files.mergesURL, let detail) = loadError() else { return XCTFail() }
        XCTAssert(detail.contains("line (4)"), detail)
    }

    func testMergesCutAtALineBoundaryIsTruncated() throws {
        try files.write(merges: "#version: 0.2\nh e\nl l\n")
        guard case .truncated(files.mergesURL, let detail) = loadError() else { return XCTFail() }
        XCTAssert(detail.contains("\"hell\""), detail)
    }

    func testMalformedMergeLineGivesItsLineNumber() throws {
        for bad in ["h  e", "h e x", "h", " e", ""] {
            try files.write(merges: "#version: 0.2\nh e\n\(bad)\nhe ll\n")
            guard case .malformed(files.mergesURL, line: 3, let detail) = loadError() else {
                XCTFail("\(bad.debugDescription): \(String(describing: loadError()))")
                continue
            }
            XCTAssert(detail.contains("two symbols"), detail)
        }
    }

    func testDuplicateMerge() throws {
        try files.write(merges: "#version: 0.2\nh e\nl l\nh e\nhe ll\n")
        XCTAssertEqual(loadError(), .malformed(files.mergesURL, line: 4, detail: "merge \"h e\" appears more than once"))
    }

    func testMergesThatDoNotMatchTheVocabulary() throws {
        try files.write(merges: "#version: 0.2\nh e\nl l\nhe ll\nhell o\n")
        guard case .inconsistent(files.vocabularyURL, files.mergesURL, let made) = loadError() else { return XCTFail() }
        XCTAssert(made.contains("line 5") && made.contains("makes \"hello\""), made)

        try files.write(merges: "#version: 0.2\nh e\nl l\nhe ll\nhel lo\n")
        guard case .inconsistent(_, _, let joined) = loadError() else { return XCTFail() }
        XCTAssert(joined.contains("joins \"hel\""), joined)
    }

    func testWindowsLineEndingsAreAccepted() throws {
        try files.write(merges: files.mergesText.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(try BPETokenizer(directory: files.directory).encode("hell"), [258])
    }

    // MARK: The real files, cut short

    func testRealFilesCutShortAreTruncated() throws {
        let real = try SharedFixtures.require("data/gpt2-tokenizer")
        let encoder = try Data(contentsOf: real.appendingPathComponent("encoder.json"))
        let bpe = try Data(contentsOf: real.appendingPathComponent("vocab.bpe"))

        try encoder.prefix(encoder.count / 2).write(to: files.vocabularyURL)
        try bpe.write(to: files.mergesURL)
        guard case .truncated(files.vocabularyURL, _) = loadError() else { return XCTFail() }

        try encoder.write(to: files.vocabularyURL)
        let firstLines = String(decoding: bpe, as: UTF8.self).split(separator: "\n").prefix(30_000)
        try files.write(merges: firstLines.joined(separator: "\n") + "\n")
        guard case .truncated(files.mergesURL, let detail) = loadError() else { return XCTFail() }
        XCTAssert(detail.contains("20001 tokens"), detail)
    }
}
