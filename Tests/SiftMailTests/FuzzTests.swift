import SiftMail
import TestSupport
import XCTest

/// Seeded mutations of corpus and synthetic messages: every one gives text or a
/// ``MailTextError``, never a crash or a hang, and the same input always the same output.
final class FuzzTests: XCTestCase {
    private static let synthetic: [[UInt8]] = [
        "Subject: =?utf-8?B?w6k=?=\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/html; charset=big5\nContent-Transfer-Encoding: quoted-printable\n\n<a href=3D\"http://a.example\">x=E9</a>&amp;\n--x\nContent-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: base64\n\nQUFB\n--x--\n",
        "Content-Type: multipart/alternative; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n\u{D0}\u{D2}\r\n--q--\r\n",
    ].map { Array($0.utf8) }

    func testMutatedMessagesNeverCrash() throws {
        var generator = SplitMix64(seed: 16)
        var seeds = Self.synthetic
        if let corpus = try? Mail.corpus() {
            // Every 10th message, so the test stays at a few seconds.
            seeds += corpus.enumerated().filter { $0.offset % 10 == 0 }.map(\.element.bytes)
        }
        var outcomes = 0
        for (index, seed) in seeds.enumerated() {
            for round in 0..<6 {
                let mutated = mutate(seed, kind: (index + round) % 6, using: &generator)
                let first = Result { try MailText.modelText(of: mutated, budget: 2000) }
                let second = Result { try MailText.modelText(of: mutated, budget: 2000) }
                switch (first, second) {
                case (.success(let a), .success(let b)):
                    XCTAssertEqual(a, b)
                    XCTAssertLessThanOrEqual(a.unicodeScalars.count, 2000)
                case (.failure(let error), .failure):
                    XCTAssertTrue(error is MailTextError, "\(error)")
                default:
                    XCTFail("not deterministic")
                }
                outcomes += 1
            }
        }
        XCTAssertGreaterThan(outcomes, 10)
    }

    private func mutate(_ message: [UInt8], kind: Int, using generator: inout SplitMix64) -> [UInt8] {
        var bytes = message
        guard !bytes.isEmpty else { return bytes }
        switch kind {
        case 0:  // truncation anywhere
            bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator))
        case 1:  // byte flips
            for _ in 0..<max(1, bytes.count / 200) { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
        case 2:  // boundary damage: every "--" line start cut short or doubled
            var output: [UInt8] = []
            var index = 0
            while index < bytes.count {
                if index + 1 < bytes.count, bytes[index] == 45, bytes[index + 1] == 45, Bool.random(using: &generator) {
                    output += Bool.random(using: &generator) ? [45] : [45, 45, 45, 45]
                    index += 2
                } else {
                    output.append(bytes[index])
                    index += 1
                }
            }
            bytes = output
        case 3:  // deep nesting wrapped around the message
            let depth = Int.random(in: 30...400, using: &generator)
            var prefix: [UInt8] = []
            for level in 0..<depth { prefix += Array("Content-Type: multipart/mixed; boundary=\"n\(level)\"\n\n--n\(level)\n".utf8) }
            bytes = prefix + bytes
        case 4:  // binary junk spliced in
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            bytes.insert(contentsOf: (0..<Int.random(in: 1...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }, at: at)
        default:  // line ends mixed: some LF become CRLF or lone CR
            bytes = bytes.flatMap { byte -> [UInt8] in
                guard byte == 10 else { return [byte] }
                switch UInt8.random(in: 0...2, using: &generator) {
                case 0: return [13, 10]
                case 1: return [13]
                default: return [10]
                }
            }
        }
        return bytes
    }
}
