import CDNNL
import CPrecisionKernels
import Foundation
import TestSupport
import XCTest
@testable import GPT2

/// bf16 and int8 serving against fp32: the dispatch by CPU, the packed matmul, and the accuracy
/// budget (bf16 within 0.05 of fp32's logits, int8 within 0.1, no label change where fp32's
/// margin exceeds 0.2) on the golden model and on a 124M-shape model with outlier channels.
final class PrecisionTests: XCTestCase {
    static let budget: [Precision: Float] = [.bf16: 0.05, .int8: 0.1]

    override func setUp() {
        BLAS.setThreads(2)
    }

    func requireKernels(_ p: Precision) throws {
        let cpu = CPUKernels.current
        try XCTSkipUnless(cpu.supports(p), "skipped: this CPU (\(cpu.isa)) lacks the \(p) instructions; only its fp32 path can be tested here")
    }

    // MARK: - Which precision runs where

    func testKernelsFollowTheInstructionSet() {
        let avx2 = CPUKernels(dnnlISA: dnnl_cpu_isa_avx2.rawValue)
        XCTAssertEqual(avx2, CPUKernels(isa: "avx2", bf16: false, int8: false))
        XCTAssertEqual(CPUKernels(dnnlISA: dnnl_cpu_isa_avx512_core.rawValue), CPUKernels(isa: "avx512_core", bf16: false, int8: false))
        XCTAssertEqual(CPUKernels(dnnlISA: dnnl_cpu_isa_avx512_core_vnni.rawValue), CPUKernels(isa: "avx512_core_vnni", bf16: false, int8: true))
        XCTAssertEqual(CPUKernels(dnnlISA: dnnl_cpu_isa_avx512_core_bf16.rawValue), CPUKernels(isa: "avx512_core_bf16", bf16: true, int8: true))
        XCTAssertEqual(CPUKernels(dnnlISA: dnnl_cpu_isa_avx2_vnni.rawValue), CPUKernels(isa: "avx2_vnni", bf16: false, int8: true))
    }

    func testAutoPicksTheFastestTheCPUHasAndAnExplicitOneMustBeThere() throws {
        let avx2 = CPUKernels(isa: "avx2", bf16: false, int8: false)
        let vnni = CPUKernels(isa: "avx512_core_vnni", bf16: false, int8: true)
        let bf16 = CPUKernels(isa: "avx512_core_bf16", bf16: true, int8: true)
        XCTAssertEqual(try PrecisionSetting.auto.resolve(on: avx2), .fp32)
        XCTAssertEqual(try PrecisionSetting.auto.resolve(on: vnni), .int8)
        XCTAssertEqual(try PrecisionSetting.auto.resolve(on: bf16), .int8)
        XCTAssertEqual(try PrecisionSetting.fixed(.fp32).resolve(on: avx2), .fp32)
        XCTAssertEqual(try PrecisionSetting.fixed(.bf16).resolve(on: bf16), .bf16)
        XCTAssertThrowsError(try PrecisionSetting.fixed(.bf16).resolve(on: vnni)) { error in
            XCTAssertTrue("\(error)".contains("AVX-512 BF16") && "\(error)".contains("avx512_core_vnni"), "\(error)")
        }
        XCTAssertThrowsError(try PrecisionSetting.fixed(.int8).resolve(on: avx2)) { error in
            XCTAssertTrue("\(error)".contains("VNNI") && "\(error)".contains("avx2"), "\(error)")
        }
        XCTAssertEqual(PrecisionSetting("auto"), .auto)
        XCTAssertEqual(PrecisionSetting("int8"), .fixed(.int8))
        XCTAssertNil(PrecisionSetting("fp16"))
        XCTAssertNil(PrecisionSetting("INT8"))
    }

    // MARK: - The packed matmul

    /// Normal(0, std) values, seeded.
    func normal(_ count: Int, std: Float, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in rng.nextNormal() * std }
    }

    /// out (+)= x · W + b through the packed path and through fp32 sgemm.
    func both(_ p: Precision, x: [Float], w: Tensor, b: [Float], m: Int, accumulateOnto start: [Float]? = nil) throws -> (packed: [Float], fp32: [Float]) {
        let (k, n) = (w.shape[0], w.shape[1])
        let packed = try PackedMatrix(w, precision: p)
        var reduced = start ?? [Float](repeating: 0, count: m * n)
        var exact = reduced
        let scratch = ReducedScratch()
        packed.forward(out: &reduced, x: x, b: b, m: m, accumulate: start != nil, scratch: scratch)
        Matmul.forward(out: &exact, x: x, w: w.pointer, b: b, n: m, ic: k, oc: n, accumulate: start != nil)
        return (reduced, exact)
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    func testPackedMatmulMatchesFP32WithinItsRounding() throws {
        let (k, n) = (96, 160)
        let w = Tensor(shape: [k, n], values: normal(k * n, std: 0.02, seed: 1))
        let b = normal(n, std: 0.1, seed: 2)
        for (p, tolerance) in [(Precision.bf16, Float(5e-3)), (.int8, 1.5e-2)] where CPUKernels.current.supports(p) {
            for m in [1, 7, 40] {
                let x = normal(m * k, std: 1, seed: UInt64(10 + m))
                let (reduced, exact) = try both(p, x: x, w: w, b: b, m: m)
                XCTAssertLessThanOrEqual(maxDifference(reduced, exact), tolerance, "\(p), M=\(m)")
                XCTAssertGreaterThan(maxDifference(reduced, exact), 0, "\(p), M=\(m): rounded, so not bit-equal to fp32")
                let start = normal(m * n, std: 1, seed: 99)
                let (sum, exactSum) = try both(p, x: x, w: w, b: b, m: m, accumulateOnto: start)
                XCTAssertLessThanOrEqual(maxDifference(sum, exactSum), tolerance, "\(p), M=\(m), accumulating")
            }
        }
        try requireKernels(.bf16)
        try requireKernels(.int8)
    }

    /// One residual channel 100 times larger than the rest: per-row int8 alone would spend its
    /// whole range on it and round every other value of the row to 0 or ±1.
    func testInt8KeepsOutlierValuesInFP32() throws {
        try requireKernels(.int8)
        let (k, n, m) = (128, 64, 24)
        let w = Tensor(shape: [k, n], values: normal(k * n, std: 0.05, seed: 3))
        var x = normal(m * k, std: 0.5, seed: 4)
        for r in 0..<m { x[r * k + 17] *= 100 }
        let (reduced, exact) = try both(.int8, x: x, w: w, b: [Float](repeating: 0, count: n), m: m)
        let split = maxDifference(reduced, exact)

        // The same weights and rows, quantized without the split.
        var q = [Int8](repeating: 0, count: m * k), scales = [Float](repeating: 0, count: m)
        sift_quantize_rows(x, Int64(m), Int64(k), .infinity, &q, &scales)
        let dequantized = (0..<(m * k)).map { Float(q[$0]) * scales[$0 / k] }
        var naive = [Float](repeating: 0, count: m * n)
        Matmul.forward(out: &naive, x: dequantized, w: w.pointer, b: nil, n: m, ic: k, oc: n)
        let withoutSplit = maxDifference(naive, exact)
        XCTAssertLessThan(split, 0.05, "int8 with outliers kept in fp32")
        XCTAssertGreaterThan(withoutSplit, 10 * split, "without the split the error would be \(withoutSplit), with it \(split)")
    }

    /// A row's answer must not depend on the rows batched with it: serving, the verdict cache
    /// and the retrain's prefix cache see the same text in different batches.
    func testARowsResultDoesNotDependOnItsBatch() throws {
        let (k, n, m) = (128, 96, 40)
        let w = Tensor(shape: [k, n], values: normal(k * n, std: 0.05, seed: 5))
        let b = normal(n, std: 0.1, seed: 6)
        var x = normal(m * k, std: 0.5, seed: 7)
        for r in stride(from: 1, to: m, by: 3) { x[r * k + (r % k)] = 40 }  // outliers in other rows, other columns
        for p in [Precision.bf16, .int8] where CPUKernels.current.supports(p) {
            let packed = try PackedMatrix(w, precision: p)
            var all = [Float](repeating: 0, count: m * n), alone = [Float](repeating: 0, count: n)
            packed.forward(out: &all, x: x, b: b, m: m, accumulate: false, scratch: ReducedScratch())
            packed.forward(out: &alone, x: Array(x[0..<k]), b: b, m: 1, accumulate: false, scratch: ReducedScratch())
            XCTAssertEqual(Array(all[0..<n]), alone, "\(p): row 0 alone and in a batch of \(m)")
        }
        try requireKernels(.int8)
    }

    // MARK: - The accuracy budget

    /// `count` token sequences of 4 to 48 tokens, seeded.
    func sequences(_ count: Int, vocabulary: Int, seed: UInt64) -> [[Int]] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in (0..<(4 + Int(rng.next() % 45))).map { _ in Int(rng.next() % UInt64(vocabulary)) } }
    }

    func assertWithinBudget(weights: GPT2Weights, head: ClassifierHead, sequences: [[Int]], what: String) throws {
        let reference = Classifier(model: GPT2Model(weights: weights), head: head, pooling: .last)
        let frozen = Classifier.frozenBlocks(layers: weights.config.layers, trained: [])
        for p in [Precision.bf16, .int8] where CPUKernels.current.supports(p) {
            let model = try GPT2Model(weights: weights, precision: p, frozen: frozen)
            XCTAssertEqual(model.precision, p)
            XCTAssertNotNil(model.weights.blocks[0].packed, "\(what): the first block is packed")
            XCTAssertNil(model.weights.blocks[weights.config.layers - 1].packed, "\(what): the last block stays fp32")
            let candidate = Classifier(model: model, head: head, pooling: .last)
            let a = PrecisionAgreement.measure(reference: reference, candidate: candidate, sequences: sequences)
            print("\(what) \(p): max |Δlogit| \(a.maxLogitDifference), mean \(a.meanLogitDifference), same label \(a.sameLabel)/\(a.texts), "
                  + "changes where fp32's margin > 0.2: \(a.confidentFlips)/\(a.confident)")
            XCTAssertLessThanOrEqual(a.maxLogitDifference, Self.budget[p]!, "\(what) \(p)")
            XCTAssertGreaterThan(a.maxLogitDifference, 0, "\(what) \(p): the packed blocks ran")
            XCTAssertGreaterThan(a.confident, a.texts / 4, "\(what): enough texts with a clear fp32 label to compare")
            XCTAssertEqual(a.confidentFlips, 0, "\(what) \(p): a label changed where fp32 was sure")
        }
    }

    func testGoldenModelWithinBudget() throws {
        try requireKernels(.bf16)
        let directory = try SharedFixtures.require("golden/tiny-gpt2")
        let weights = try GPT2Weights.load(directory: directory)
        let head = try ClassifierFile.load(directory.appendingPathComponent("head.safetensors"), base: weights).head
        try assertWithinBudget(weights: weights, head: head, sequences: sequences(120, vocabulary: weights.config.vocabSize, seed: 11),
                               what: "golden tiny-gpt2")
    }

    /// The real gpt2 shape (124M) with random weights and three residual channels 100 times
    /// larger than the rest, where GPT-2 has its own (138, 378, 447).
    func testRandom124MModelWithOutlierChannelsWithinBudget() throws {
        try requireKernels(.bf16)
        let config = GPT2Config.named["gpt2"]!
        let weights = try GPT2Weights.random(config: config, seed: 3).withOutlierChannels([138, 378, 447], scale: 100)
        var rng = SeededRandom(seed: 7)
        let head = try ClassifierHead(weight: Tensor(shape: [2, config.channels], values: (0..<(2 * config.channels)).map { _ in rng.nextNormal() * 0.05 }),
                                      bias: Tensor(zeros: [2]), labels: ["ham", "spam"])
        try assertWithinBudget(weights: weights, head: head, sequences: sequences(48, vocabulary: config.vocabSize, seed: 12),
                               what: "random gpt2 with outliers")
    }
}
