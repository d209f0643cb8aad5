import XCTest
@testable import FineTune

final class LabelSetTests: XCTestCase {
    func testDefaultOrderIsHamThenSpam() {
        XCTAssertEqual(LabelSet.hamSpam.index(of: "ham"), 0)
        XCTAssertEqual(LabelSet.hamSpam.index(of: "spam"), 1)
        XCTAssertNil(LabelSet.hamSpam.index(of: "eggs"))
    }
}
