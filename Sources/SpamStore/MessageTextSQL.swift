/// How a query reads a message's text, wherever it is kept. Every reader of a text goes
/// through these two fragments, with the message aliased `m`.
///
/// A message has its text when it carries its own copy (short texts, and all rows written
/// before schema v4), or when it carries none, its text was not dropped (`text_dropped_at`
/// NULL) and the shared text with its hash is stored (see ``TextPlacement``). The
/// `text_dropped_at` condition matters once a shared text has been deleted and the same
/// content arrives again: the messages that retention already marked stay without text.
enum MessageTextSQL {
    /// LEFT JOINs that look up the shared text of `m`, only for messages that may have one.
    static let joins = """
        LEFT JOIN distinct_texts shared_text
            ON shared_text.sha256 = m.sha256 AND m.text IS NULL AND m.text_dropped_at IS NULL
        LEFT JOIN text_bodies shared_body ON shared_body.id = shared_text.body_id
        """

    /// The text of `m`, or NULL when it has none.
    static let text = "coalesce(m.text, shared_body.text)"
}
