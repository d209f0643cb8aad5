import Foundation
import XCTest
import Checksum

/// The NIST FIPS 180-4 example vectors, plus the properties the streaming hasher promises.
final class SHA256Tests: XCTestCase {
    func testEmptyMessage() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testAbc() {
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func test448BitMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        XCTAssertEqual(message.utf8.count * 8, 448)
        XCTAssertEqual(SHA256.hex(message), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func test896BitMessage() {
        let message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        XCTAssertEqual(SHA256.hex(message), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testOneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hex(message), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testDigestIs32Bytes() {
        XCTAssertEqual(SHA256.hash([UInt8]("abc".utf8)).count, SHA256.digestByteCount)
    }

    /// Every length around the padding boundaries (55, 56, 63, 64 bytes …) fed in every
    /// split: the streaming result must equal the one-shot result.
    func testStreamingEqualsOneShotAtEverySplit() {
        let data = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200] {
            let message = Array(data.prefix(length))
            let oneShot = SHA256.hash(message)
            for split in 0...length {
                var hasher = SHA256Hasher()
                hasher.update(message[..<split])
                hasher.update(message[split...])
                XCTAssertEqual(hasher.finalize(), oneShot, "length \(length) split at \(split)")
            }
        }
    }

    func testStreamingInOddChunksEqualsOneShot() {
        let message = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var hasher = SHA256Hasher()
        var start = 0
        var chunk = 1
        while start < message.count {
            let end = min(start + chunk, message.count)
            hasher.update(message[start..<end])
            start = end
            chunk = chunk * 3 % 1_000 + 1
        }
        XCTAssertEqual(hasher.finalize(), SHA256.hash(message))
    }

    func testNonContiguousSequenceHashesTheSame() {
        let message = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        let lazy = message.lazy.map { $0 }  // a sequence without contiguous storage
        XCTAssertEqual(SHA256.hash(lazy), SHA256.hash(message))
    }

    func testFinalizeLeavesHasherUsable() {
        var hasher = SHA256Hasher()
        hasher.update("ab".utf8)
        _ = hasher.finalize()
        hasher.update("c".utf8)
        XCTAssertEqual(hasher.finalizeHex(), SHA256.hex("abc"))
    }

    func testFileHashEqualsInMemoryHash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let contents = (0..<(5 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 >> 3) }
        try Data(contents).write(to: url)
        XCTAssertEqual(try SHA256.hex(contentsOf: url), SHA256.hex(contents))
    }

    func testHexEncoding() {
        XCTAssertEqual(SHA256.hexEncoded([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
    }
}
