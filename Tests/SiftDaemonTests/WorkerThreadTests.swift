import Foundation
import Synchronization
import XCTest
@testable import SiftDaemon

final class WorkerThreadTests: XCTestCase {
    /// The batcher and the journal are told apart in `ps -L`, `top -H` and a debugger by name.
    func testTheThreadCarriesItsNameInTheKernel() async {
        let seen = Mutex("")
        let worker = WorkerThread(name: "sift-test") { seen.withLock { $0 = threadName() } }
        worker.start()
        await worker.join()
        XCTAssertEqual(seen.withLock { $0 }, "sift-test")
    }
}
