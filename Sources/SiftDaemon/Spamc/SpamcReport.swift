import Foundation

/// The text of REPORT (and REPORT_IFSPAM for spam): what Sift concluded, in the layout of
/// SpamAssassin's report (a points table), which people reading `spamc -R` know.
enum SpamcReport {
    static func text(_ verdict: SpamcVerdict, host: String) -> String {
        let description = switch verdict.kind {
        case .spam: "the model says spam"
        case .ham: "the model says ham"
        case .unsure: "the model is unsure: between the ham and spam thresholds"
        }
        let probability = String(format: "%.3f", verdict.spamProbability)
        let threshold = String(format: "%.3f", verdict.spamThreshold)
        let points = SpamcVerdict.decimal(verdict.score)
        let rule = verdict.rule.padding(toLength: 22, withPad: " ", startingAt: 0)
        return """
            Sift \(SiftVersion.string) on \(host), model \(verdict.modelVersion): \(verdict.kind.rawValue)
            (probability of spam \(probability), spam threshold \(threshold))

            Content analysis details:   (\(verdict.scoreText) points, \(verdict.requiredText) required)

             pts rule name              description
            ---- ---------------------- --------------------------------------------------
            \(String(repeating: " ", count: max(0, 4 - points.count)))\(points) \(rule) \(description)

            Message \(verdict.messageID) in Sift's store; if this is wrong: sift correct \(verdict.messageID) \(verdict.isSpam ? "ham" : "spam")

            """
    }
}
