import NIOCore
import XCTest
@testable import SiftDaemon

final class LineFramerTests: XCTestCase {
    private func frames(_ chunks: [String], limit: Int = 10, finish: Bool = false) -> [String] {
        var framer = LineFramer(maximumLineBytes: limit)
        var out: [String] = []
        func drain() {
            while let frame = framer.next() { out.append(describe(frame)) }
        }
        for chunk in chunks {
            framer.append(ByteBuffer(string: chunk))
            drain()
        }
        if finish, let last = framer.finish() { out.append(describe(last)) }
        return out
    }

    private func describe(_ frame: LineFramer.Frame) -> String {
        switch frame {
        case let .line(buffer): "line:" + String(buffer: buffer)
        case .tooLong: "tooLong"
        }
    }

    func testSplitsLinesAcrossAndWithinChunks() {
        XCTAssertEqual(frames(["ab\ncd", "e\n\nf", "g\r\n"]), ["line:ab", "line:cde", "line:", "line:fg\r"])
    }

    func testLineAtTheLimitPassesAndOneByteMoreDoesNot() {
        XCTAssertEqual(frames(["0123456789\n", "0123456789X\n", "ok\n"]), ["line:0123456789", "tooLong", "line:ok"])
    }

    func testTooLongLineIsReportedOnceAndDiscardedThroughItsNewline() {
        // Reported as soon as the limit is passed, before its end has arrived.
        var framer = LineFramer(maximumLineBytes: 4)
        framer.append(ByteBuffer(string: "abcdefgh"))
        XCTAssertEqual(framer.next(), .tooLong)
        XCTAssertNil(framer.next())
        framer.append(ByteBuffer(string: String(repeating: "x", count: 10_000)))
        XCTAssertNil(framer.next())
        XCTAssertEqual(framer.bufferedBytes, 0, "a discarded line is not kept in memory")
        framer.append(ByteBuffer(string: "yy\nnext\n"))
        XCTAssertEqual(framer.next(), .line(ByteBuffer(string: "next")))
        XCTAssertNil(framer.next())
    }

    func testLastLineWithoutNewlineCountsAtEndOfInput() {
        XCTAssertEqual(frames(["a\nbc"], finish: true), ["line:a", "line:bc"])
        XCTAssertEqual(frames(["a\n"], finish: true), ["line:a"])
        XCTAssertEqual(frames(["a\n0123456789ABC"], finish: true), ["line:a", "tooLong"])
    }

    func testManySmallChunksOfOneLongLineAreScannedOnce() {
        var framer = LineFramer(maximumLineBytes: 1 << 20)
        for _ in 0..<10_000 { framer.append(ByteBuffer(string: "0123456789")); XCTAssertNil(framer.next()) }
        framer.append(ByteBuffer(string: "\n"))
        guard case let .line(line)? = framer.next() else { return XCTFail("no line") }
        XCTAssertEqual(line.readableBytes, 100_000)
    }
}
