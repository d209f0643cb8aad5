import Foundation

/// A classification in spamd's terms: a score out of 10 against a required score.
///
/// score = 10 × P(spam) and required = 10 × the spam threshold, so `spamc -c` prints
/// `9.7/5.0` for a message the model gives 0.97 at the default threshold of 0.5. Both are
/// written with one decimal, as spamd writes them. Spam for spamd is Sift's verdict spam; an
/// unsure message (between the ham and spam thresholds) is not spam to spamd, and its rule
/// says so (`SIFT_UNSURE`).
public struct SpamcVerdict: Sendable, Equatable {
    public var kind: Verdict
    public var spamProbability: Double
    public var spamThreshold: Double
    public var messageID: Int64
    public var modelVersion: String

    public init(kind: Verdict, spamProbability: Double, spamThreshold: Double, messageID: Int64, modelVersion: String) {
        self.kind = kind
        self.spamProbability = spamProbability
        self.spamThreshold = spamThreshold
        self.messageID = messageID
        self.modelVersion = modelVersion
    }

    public var isSpam: Bool { kind == .spam }
    public var score: Double { 10 * spamProbability }
    public var required: Double { 10 * spamThreshold }

    /// One decimal, as spamd writes scores; never "-0.0".
    static func decimal(_ value: Double) -> String {
        let text = String(format: "%.1f", value)
        return text == "-0.0" ? "0.0" : text
    }

    /// The score as written: 10 × P(spam) to one decimal, moved by a tenth where rounding alone
    /// would put it on the wrong side of the required score. Exim reads only the two numbers
    /// (spam when score ≥ required), so they must say what the verdict says: P = 0.496 at the
    /// threshold 0.5 is ham, written 4.9 / 5.0, not 5.0 / 5.0. Not finite (a broken model): 0.
    public var shownScore: Double {
        var tenths = score.isFinite ? (score * 10).rounded() : 0
        let requiredTenths = (required * 10).rounded()
        if isSpam {
            tenths = max(tenths, requiredTenths)
        } else if tenths >= requiredTenths {
            tenths = max(0, requiredTenths - 1)
        }
        return tenths / 10
    }

    public var scoreText: String { Self.decimal(shownScore) }
    public var requiredText: String { Self.decimal(required) }

    /// The one rule Sift "hits": what SYMBOLS lists and X-Spam-Status names.
    public var rule: String { "SIFT_\(kind.rawValue.uppercased())" }

    /// The `Spam:` header of a reply: `True ; 9.7 / 5.0`.
    public var spamHeader: String { "\(isSpam ? "True" : "False") ; \(scoreText) / \(requiredText)" }
}
