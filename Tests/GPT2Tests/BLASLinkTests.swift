import XCTest
import CBLAS
@testable import GPT2

final class BLASLinkTests: XCTestCase {
    func testSgemmLinksAndMultiplies() {
        // [2,3] x [3,2] = [2,2], row-major.
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 1, a, 3, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    func testThreadCountIsSettable() {
        BLAS.setThreads(1)
        XCTAssertEqual(BLAS.threads, 1)
    }
}
