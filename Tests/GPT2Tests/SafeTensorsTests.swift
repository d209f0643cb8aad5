import Foundation
import XCTest
import TestSupport
@testable import GPT2

final class SafeTensorsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Writes a raw safetensors file from a header dictionary and data bytes.
    func writeRaw(_ name: String, header: [String: Any], data: [UInt8]) throws -> URL {
        let json = try JSONSerialization.data(withJSONObject: header)
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        bytes.append(contentsOf: data)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func testRoundTripThroughWriter() throws {
        let url = dir.appendingPathComponent("a.safetensors")
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        try SafeTensorsWriter.write([("x", t), ("b", Tensor(shape: [1], values: [-7]))], metadata: ["labels": "[\"a\"]"], to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(try file.tensor("x").array, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try file.tensor("x").shape, [2, 3])
        XCTAssertEqual(try file.tensor("b").array, [-7])
        XCTAssertEqual(file.metadata["labels"], "[\"a\"]")
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.safetensors"])
    }

    func testF16AndBF16AreConvertedOnLoad() throws {
        let halves: [Float16] = [1.5, -2, 0.25]
        var data = [UInt8]()
        for h in halves { withUnsafeBytes(of: h.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        for f: Float in [3.0, -0.5] { withUnsafeBytes(of: UInt16(f.bitPattern >> 16).littleEndian) { data.append(contentsOf: $0) } }
        let url = try writeRaw("h.safetensors", header: [
            "h": ["dtype": "F16", "shape": [3], "data_offsets": [0, 6]],
            "b": ["dtype": "BF16", "shape": [2], "data_offsets": [6, 10]],
        ], data: data)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(try file.tensor("h").array, [1.5, -2, 0.25])
        XCTAssertEqual(try file.tensor("b").array, [3.0, -0.5])
    }

    func testTruncatedFileNamesTheTensorAndOffset() throws {
        let url = try writeRaw("t.safetensors", header: ["w": ["dtype": "F32", "shape": [4], "data_offsets": [0, 16]]], data: [0, 0, 0, 0])
        XCTAssertThrowsError(try SafeTensorsFile(url: url)) { error in
            guard case let GPT2Error.truncatedFile(_, tensor, needs, has) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "w")
            XCTAssertGreaterThan(needs, has)
            XCTAssertTrue("\(error)".contains("truncated"))
        }
    }

    /// A download cut off half-way: the header is whole, the data of later tensors is missing.
    func testAFileCutInHalfIsReportedAsTruncated() throws {
        let url = try writeRaw("half.safetensors", header: [
            "a": ["dtype": "F32", "shape": [1024], "data_offsets": [0, 4096]],
            "b": ["dtype": "F32", "shape": [1024], "data_offsets": [4096, 8192]],
        ], data: [UInt8](repeating: 0, count: 4096 + 100))
        XCTAssertThrowsError(try SafeTensorsFile(url: url)) { error in
            guard case let GPT2Error.truncatedFile(_, tensor, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(tensor, "b")
        }
    }

    func testBadHeadersAreClearErrors() throws {
        let empty = dir.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        XCTAssertThrowsError(try SafeTensorsFile(url: empty)) { XCTAssertTrue("\($0)".contains("8-byte")) }

        let huge = dir.appendingPathComponent("huge.safetensors")
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { bytes.append(contentsOf: $0) }
        try Data(bytes + [1, 2, 3]).write(to: huge)
        XCTAssertThrowsError(try SafeTensorsFile(url: huge)) { XCTAssertTrue("\($0)".contains("header length")) }

        let notJSON = dir.appendingPathComponent("nj.safetensors")
        bytes = []
        withUnsafeBytes(of: UInt64(4).littleEndian) { bytes.append(contentsOf: $0) }
        try Data(bytes + Array("{{{{".utf8)).write(to: notJSON)
        XCTAssertThrowsError(try SafeTensorsFile(url: notJSON)) { XCTAssertTrue("\($0)".contains("not a JSON object")) }

        let mismatch = try writeRaw("m.safetensors", header: ["w": ["dtype": "F32", "shape": [3], "data_offsets": [0, 8]]], data: Array(repeating: 0, count: 8))
        XCTAssertThrowsError(try SafeTensorsFile(url: mismatch)) { XCTAssertTrue("\($0)".contains("does not match")) }

        XCTAssertThrowsError(try SafeTensorsFile(url: dir.appendingPathComponent("absent"))) {
            XCTAssertTrue("\($0)".contains("cannot read"))
        }

        // Lengths and shapes past Int.max (random bytes, hostile files) are errors, not traps.
        let overflowing = dir.appendingPathComponent("overflow.safetensors")
        bytes = []
        withUnsafeBytes(of: UInt64.max.littleEndian) { bytes.append(contentsOf: $0) }
        try Data(bytes + Array("{}".utf8)).write(to: overflowing)
        XCTAssertThrowsError(try SafeTensorsFile(url: overflowing)) { XCTAssertTrue("\($0)".contains("header length")) }
        let hugeShape = try writeRaw("hs.safetensors", header: ["w": ["dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 8]]],
                                     data: Array(repeating: 0, count: 8))
        XCTAssertThrowsError(try SafeTensorsFile(url: hugeShape)) { XCTAssertTrue("\($0)".contains("does not match")) }
        let farOffset = try writeRaw("fo.safetensors", header: ["w": ["dtype": "F32", "shape": [2], "data_offsets": [Int.max - 8, Int.max]]],
                                     data: Array(repeating: 0, count: 8))
        XCTAssertThrowsError(try SafeTensorsFile(url: farOffset)) { XCTAssertTrue("\($0)".contains("lacks a valid")) }
    }

    func testUnsupportedDTypeAndMissingTensor() throws {
        let url = try writeRaw("i.safetensors", header: ["i": ["dtype": "I64", "shape": [1], "data_offsets": [0, 8]]], data: Array(repeating: 0, count: 8))
        let file = try SafeTensorsFile(url: url)
        XCTAssertThrowsError(try file.tensor("i")) { XCTAssertEqual($0 as? GPT2Error, .unsupportedDType(name: "i", dtype: "I64")) }
        XCTAssertThrowsError(try file.tensor("nope")) { XCTAssertTrue("\($0)".contains("nope is missing")) }
    }

    func testModelWithTransformerPrefixLoadsAndMaskBuffersAreIgnored() throws {
        let golden = try SharedFixtures.require("golden/tiny-gpt2")
        let original = try GPT2Weights.load(directory: golden)
        let prefixed = dir.appendingPathComponent("model.safetensors")
        try SafeTensorsWriter.write(original.namedTensors.map { ("transformer." + $0.name, $0.tensor) }, to: prefixed)
        try FileManager.default.copyItem(at: golden.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        let loaded = try GPT2Weights.load(directory: dir)
        XCTAssertEqual(loaded.blocks[2].fcW.array, original.blocks[2].fcW.array)
        XCTAssertEqual(loaded.wpe.array, original.wpe.array)
    }

    func testWrongShapeAndMissingBlockNameTheTensor() throws {
        let golden = try SharedFixtures.require("golden/tiny-gpt2")
        let original = try GPT2Weights.load(directory: golden)
        var tensors = original.namedTensors
        tensors.removeAll { $0.name == "h.1.mlp.c_fc.bias" }
        let url = dir.appendingPathComponent("missing.safetensors")
        try SafeTensorsWriter.write(tensors, to: url)
        XCTAssertThrowsError(try GPT2Weights.load(file: SafeTensorsFile(url: url), config: original.config)) {
            XCTAssertTrue("\($0)".contains("h.1.mlp.c_fc.bias is missing"), "\($0)")
        }
        var config = original.config
        config.channels = 32
        config.heads = 4
        XCTAssertThrowsError(try GPT2Weights.load(file: SafeTensorsFile(url: golden.appendingPathComponent("model.safetensors")), config: config)) {
            XCTAssertTrue("\($0)".contains("wte.weight has shape [50257, 64], expected [50257, 32]"), "\($0)")
        }
    }
}
