/// Where a new message's text is stored.
///
/// A text of ``sharedMinimumBytes`` or more is stored once per distinct content and shared by
/// every message that carries it (``Store/storeText(_:sha256:bytes:receivedAt:_:_:)``), so a
/// flood of one big text costs a message row per copy. A shorter text stays in its message
/// row, as every text did before schema v4. The reason is the journal's rate: a new distinct
/// text goes into a table keyed by its hash, and a random key dirties its own page in nearly
/// every insert of a batch. Measured with release builds, 20,000 messages in batches of 64
/// under reserved ids: sharing cut the rate for distinct 50-byte texts from about 37,000 to
/// 12,700 messages/s and for 300-byte ones from 32,000 to 12,000; for 1 KB texts it halves
/// it, for 8 KB ones it takes a third off; repeated texts of 1 KB and more are as fast or
/// faster (8 KB: 6,500 to 22,000, a batch also hashing a repeated text once). A copy under
/// 256 bytes costs about what the message row costs anyway (hash, times, peer, prediction),
/// so sharing it would save at most half of a repeat's bytes for two thirds of the rate.
enum TextPlacement: Equatable {
    /// In the shared tables, found through the message's hash.
    case shared
    /// In `messages.text`.
    case own
    /// Nowhere: the message is recorded without its text.
    case none

    /// UTF-8 size from which a text is shared.
    static let sharedMinimumBytes = 256

    init(storingText: Bool, bytes: Int) {
        if !storingText {
            self = .none
        } else {
            self = bytes >= Self.sharedMinimumBytes ? .shared : .own
        }
    }
}
