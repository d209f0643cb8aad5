import Foundation
import XCTest
import TestSupport
@testable import GPT2

final class ConfigTests: XCTestCase {
    func testNamedShapes() {
        XCTAssertEqual(GPT2Config.named["gpt2"]?.channels, 768)
        XCTAssertEqual(GPT2Config.named["gpt2-xl"]?.heads, 25)
        // The published parameter count of GPT-2 small (without the tied head) is 124,439,808.
        XCTAssertEqual(GPT2Config.gpt2.parameterCount, 124_439_808)
    }

    func testReadsHuggingFaceConfig() throws {
        let config = try GPT2Config(huggingFaceConfigAt: SharedFixtures.require("golden/tiny-gpt2/config.json"))
        XCTAssertEqual(config, GPT2Config(vocabSize: 50257, contextLength: 256, channels: 64, layers: 3, heads: 4, layerNormEpsilon: 1e-5))
    }

    func testInvalidConfigsNameTheKey() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"vocab_size":10,"n_positions":8,"n_embd":10,"n_layer":1,"n_head":3}"#.utf8).write(to: url)
        XCTAssertThrowsError(try GPT2Config(huggingFaceConfigAt: url)) { XCTAssertTrue("\($0)".contains("n_head"), "\($0)") }
        try Data(#"{"vocab_size":10,"n_positions":8,"n_embd":12,"n_layer":1}"#.utf8).write(to: url)
        XCTAssertThrowsError(try GPT2Config(huggingFaceConfigAt: url)) { XCTAssertTrue("\($0)".contains("n_head"), "\($0)") }
        try Data("not json".utf8).write(to: url)
        XCTAssertThrowsError(try GPT2Config(huggingFaceConfigAt: url)) { XCTAssertTrue("\($0)".contains("not valid JSON"), "\($0)") }
    }

    func testPoolingParses() {
        XCTAssertEqual(Pooling("last"), .last)
        XCTAssertEqual(Pooling("padded:120"), .padded(maxLength: 120))
        XCTAssertEqual(Pooling("padded(40)"), .padded(maxLength: 40))
        XCTAssertNil(Pooling("padded:0"))
        XCTAssertNil(Pooling("first"))
    }
}
