import XCTest
@testable import GPT2Tokenizer

final class ByteUnicodeMapTests: XCTestCase {
    func testMapIsABijectionOntoPrintableScalars() {
        let scalars = ByteUnicodeMap.scalars
        XCTAssertEqual(Set(scalars.map(\.value)).count, 256)
        XCTAssertEqual(scalars[Int(UInt8(ascii: "A"))], "A")
        // Space is not printable in the map: GPT-2 spells it "Ġ" (U+0120).
        XCTAssertEqual(scalars[32].value, 0x120)
        XCTAssertEqual(scalars[10].value, 0x10A)  // newline is "Ċ"
        for byte in 0..<256 { XCTAssertEqual(ByteUnicodeMap.bytes[scalars[byte].value], UInt8(byte)) }
    }
}
