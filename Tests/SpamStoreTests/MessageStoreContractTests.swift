import Foundation
import TestSupport
import XCTest
@testable import SpamStore
@testable import SpamStorePostgres

/// ``MessageStoreContract`` and ``SiftStoreContract`` on SQLite: a fresh store file per test.
final class SQLiteContractTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var store: Store!
    private var contract: MessageStoreContract { MessageStoreContract(store: store) }
    private var sift: SiftStoreContract { SiftStoreContract(store: store) }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        store = try Store(path: directory.path("sift.sqlite"))
    }

    override func tearDownWithError() throws {
        try store?.close()
        store = nil
        directory = nil
    }

    func testReservations() throws { try contract.reservationsAreConsecutiveAndNeverHandedOutAgain() }
    func testRecordedMessages() throws { try contract.recordedMessagesReadBackWithTheirPredictions() }
    func testNulInText() throws { try contract.aTextWithANulIsStoredAndHashedAsReceived() }
    func testReservedIDs() throws { try contract.reservedIDsRecordWithOrWithoutText() }
    func testInvalidBatch() throws { try contract.anInvalidPredictionRejectsTheWholeBatch() }
    func testLabelHistory() throws { try contract.labelsSupersedeAndKeepTheirHistory() }
    func testRefusedLabels() throws { try contract.labelsOfUnknownMessagesAndInvalidNamesAreRefused() }
    func testForget() throws { try contract.forgetWithdrawsTheLabelAndKeepsIt() }
    func testForgetByText() throws { try contract.forgetByTextWithdrawsEveryLabelledMessageWithThatTextAndNoOther() }
    func testDailyStats() throws { try contract.dailyStatsCountMessagesLatestSpamAndCorrections() }
    func testNewLabelCounts() throws { try contract.newLabelCountsCountOnlyCurrentLabelsAfterTheInstant() }

    // SiftStoreContract: training data, registry, runs, nodes.
    func testLabelledImportAndHoldout() throws { try sift.labelledImportStoresMessagesAndSplitsByTheHashOfTheText() }
    func testNewestLabelDecidesCopies() throws { try sift.aTextsNewestLabelDecidesEveryCopy() }
    func testOnlineAccuracy() throws { try sift.onlineAccuracyComparesEachLabelWithTheLatestPrediction() }
    func testNewLabelCountsSinceTraining() throws { try sift.newLabelCountsStartAtTheLatestSucceededRun() }
    func testRetention() throws { try sift.retentionDropsOnlyOldUnlabelledTexts() }
    func testStorageFigures() throws { try sift.storageFiguresCountTheStoredTexts() }
    func testModelRegistry() throws { try sift.modelRegistryLifecycle() }
    func testRollbackWithNothingEarlier() throws { try sift.rollbackWithNothingEarlierIsAClearError() }
    func testModelFiles() throws { try sift.modelFilesAreHeldByAnEngineThatHoldsThem() }
    func testTrainingRuns() throws { try sift.trainingRunsAreExclusiveAndKeepTheirHeartbeat() }
    func testNodes() throws { try sift.nodesAreUpsertedAndListedMostRecentlySeenFirst() }
}

/// ``MessageStoreContract`` and ``SiftStoreContract`` on PostgreSQL: a fresh database per test in the cluster
/// SIFT_TEST_POSTGRES_URL names (see ``PostgresTestDatabase``).
final class PostgresContractTests: XCTestCase {
    private var database: PostgresTestDatabase!
    private var store: PostgresStore!
    private var contract: MessageStoreContract { MessageStoreContract(store: store) }
    private var sift: SiftStoreContract { SiftStoreContract(store: store) }

    override func setUpWithError() throws {
        database = try PostgresTestDatabase()
        // A small block, so the tests cross block boundaries.
        var options = PostgresStore.Options()
        options.idBlockSize = 4
        store = try PostgresStore(url: database.url, options: options)
    }

    override func tearDownWithError() throws {
        store?.close()
        store = nil
        database?.drop()
        database = nil
    }

    func testReservations() throws { try contract.reservationsAreConsecutiveAndNeverHandedOutAgain() }
    func testRecordedMessages() throws { try contract.recordedMessagesReadBackWithTheirPredictions() }
    func testNulInText() throws { try contract.aTextWithANulIsStoredAndHashedAsReceived() }
    func testReservedIDs() throws { try contract.reservedIDsRecordWithOrWithoutText() }
    func testInvalidBatch() throws { try contract.anInvalidPredictionRejectsTheWholeBatch() }
    func testLabelHistory() throws { try contract.labelsSupersedeAndKeepTheirHistory() }
    func testRefusedLabels() throws { try contract.labelsOfUnknownMessagesAndInvalidNamesAreRefused() }
    func testForget() throws { try contract.forgetWithdrawsTheLabelAndKeepsIt() }
    func testForgetByText() throws { try contract.forgetByTextWithdrawsEveryLabelledMessageWithThatTextAndNoOther() }
    func testDailyStats() throws { try contract.dailyStatsCountMessagesLatestSpamAndCorrections() }
    func testNewLabelCounts() throws { try contract.newLabelCountsCountOnlyCurrentLabelsAfterTheInstant() }

    // SiftStoreContract: training data, registry, runs, nodes.
    func testLabelledImportAndHoldout() throws { try sift.labelledImportStoresMessagesAndSplitsByTheHashOfTheText() }
    func testNewestLabelDecidesCopies() throws { try sift.aTextsNewestLabelDecidesEveryCopy() }
    func testOnlineAccuracy() throws { try sift.onlineAccuracyComparesEachLabelWithTheLatestPrediction() }
    func testNewLabelCountsSinceTraining() throws { try sift.newLabelCountsStartAtTheLatestSucceededRun() }
    func testRetention() throws { try sift.retentionDropsOnlyOldUnlabelledTexts() }
    func testStorageFigures() throws { try sift.storageFiguresCountTheStoredTexts() }
    func testModelRegistry() throws { try sift.modelRegistryLifecycle() }
    func testRollbackWithNothingEarlier() throws { try sift.rollbackWithNothingEarlierIsAClearError() }
    func testModelFiles() throws { try sift.modelFilesAreHeldByAnEngineThatHoldsThem() }
    func testTrainingRuns() throws { try sift.trainingRunsAreExclusiveAndKeepTheirHeartbeat() }
    func testNodes() throws { try sift.nodesAreUpsertedAndListedMostRecentlySeenFirst() }
}
