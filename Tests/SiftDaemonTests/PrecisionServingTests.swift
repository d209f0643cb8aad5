import Foundation
import GPT2
import SiftJSON
import TestSupport
import XCTest
@testable import SiftDaemon

/// `model.precision` in siftd: read and checked against the CPU, `auto` choosing what the CPU
/// has, an older CPU acted out with oneDNN's ONEDNN_MAX_CPU_ISA, and retraining computing its
/// features in the precision served.
final class PrecisionServingTests: XCTestCase {
    func loadConfig(environment: [String: String]) async throws -> DaemonConfig {
        try await DaemonConfigLoader(file: nil, overrides: [:], environment: environment).load()
    }

    func testPrecisionIsAutoUnlessSetAndAnUnknownOneIsRefused() async throws {
        let unset = try await loadConfig(environment: [:])
        XCTAssertEqual(unset.model.precision, .auto)
        XCTAssertEqual(unset.model.servedPrecision, CPUKernels.current.fastest)
        let fp32 = try await loadConfig(environment: ["SIFT_MODEL_PRECISION": "fp32"])
        XCTAssertEqual(fp32.model.servedPrecision, .fp32)
        for bad in ["fp16", "INT8"] {
            do {
                _ = try await loadConfig(environment: ["SIFT_MODEL_PRECISION": bad])
                XCTFail("accepted precision \"\(bad)\"")
            } catch let error as DaemonConfigError {
                XCTAssertEqual(error.key, "model.precision")
                XCTAssertTrue(error.description.contains("fp32, bf16, int8 or auto"), error.description)
            }
        }
    }

    /// Health reports what `auto` chose on this CPU, and the model answers in it.
    func testAutoServesTheFastestPrecisionOfThisCPU() throws {
        let siftd = try SiftdProcess(environment: ["SIFT_MODEL_PRECISION": "auto"])
        try siftd.waitUntilServing()
        let client = try LineClient(socketPath: siftd.socketPath)
        let health = try client.call(["op": "health"])
        XCTAssertEqual(health["precision"], .string(CPUKernels.current.fastest.rawValue), "\(health)")
        XCTAssertEqual(health["cpu"], .string(CPUKernels.current.isa))
        let verdict = try client.call(["op": "classify", "text": "WINNER!! Claim your prize now"])
        XCTAssertNotNil(verdict["label"]?.stringValue, "\(verdict)")
    }

    /// An AVX2 machine, acted out by capping oneDNN's instruction set: `auto` serves fp32 there,
    /// and an explicit bf16 stops siftd at start (exit 78, no restart loop) saying why.
    func testOnAnAVX2MachineAutoServesFP32AndBF16StopsSiftdWithTheReason() throws {
        let avx2 = ["ONEDNN_MAX_CPU_ISA": "AVX2"]
        let served = try SiftdProcess(environment: avx2.merging(["SIFT_MODEL_PRECISION": "auto"]) { $1 })
        try served.waitUntilServing()
        let health = try LineClient(socketPath: served.socketPath).call(["op": "health"])
        XCTAssertEqual(health["precision"], .string("fp32"), "\(health)")
        XCTAssertEqual(health["cpu"], .string("avx2"))

        let refused = try SiftdProcess(environment: avx2.merging(["SIFT_MODEL_PRECISION": "bf16"]) { $1 })
        XCTAssertEqual(refused.waitForExit(), 78, refused.log)
        XCTAssertTrue(refused.log.contains("model.precision"), refused.log)
        XCTAssertTrue(refused.log.contains("AVX-512 BF16") && refused.log.contains("avx2"), refused.log)
    }

    /// The threads divide for the model being served, batch by batch: a packed model gives
    /// oneDNN `model.threads` and OpenBLAS one; after a reload to fp32, OpenBLAS has them all.
    func testThreadsFollowThePrecisionOfTheServedModel() async throws {
        let precision = CPUKernels.current.fastest
        try XCTSkipIf(precision == .fp32, "skipped: this CPU (\(CPUKernels.current.isa)) has no reduced precision to serve")
        let fixture = try await DaemonFixture.start {
            $0.model.threads = 2
            $0.model.precision = .fixed(precision)
        }
        let client = try fixture.connect()
        _ = try client.call(["op": "classify", "text": "a first text"])
        XCTAssertEqual(ComputeThreads.current, ComputeThreads(blas: 1, oneDNN: 2))
        XCTAssertEqual(try client.call(["op": "health"])["precision"], .string(precision.rawValue))

        var fp32 = fixture.config
        fp32.model.precision = .fixed(.fp32)
        _ = try fixture.daemon.context.models.reload(fp32)
        _ = try client.call(["op": "classify", "text": "a second text"])
        XCTAssertEqual(ComputeThreads.current.blas, 2)
        XCTAssertEqual(try client.call(["op": "health"])["precision"], .string("fp32"))
        try await fixture.stop()
    }

    /// Train as you serve: the cold start's prefix cache runs in the precision siftd serves, and
    /// the checkpoint says which.
    func testRetrainingComputesItsFeaturesInTheServedPrecision() throws {
        let precision = CPUKernels.current.fastest
        try XCTSkipIf(precision == .fp32, "skipped: this CPU (\(CPUKernels.current.isa)) has no reduced precision to train in")
        let fixture = try RetrainFixture(trainable: "last-block")
        let result = try BuiltExecutable.run(try SiftdProcess.binary(), ["train"] + SiftdProcess.arguments(in: fixture.directory),
                                             environment: SiftdProcess.environment(["SIFT_MODEL_PRECISION": precision.rawValue]))
        XCTAssertEqual(result.status, 0, result.errors)
        let checkpoint = try SafeTensorsFile(url: URL(fileURLWithPath: fixture.directory.file("state/models/r1/classifier.safetensors")))
        XCTAssertEqual(checkpoint.metadata["precision"], precision.rawValue)
    }
}
