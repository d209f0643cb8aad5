import Foundation
import SiftDaemon
import SiftJSON

/// siftd's verdict on one message, read from a classify reply.
struct Verdict: Equatable {
    /// siftd's own spam/ham/unsure, as its replies name them.
    typealias Kind = SiftDaemon.Verdict

    var kind: Kind
    var spamProbability: Double
    var messageID: Int64?
    var model: String?

    /// From a classify reply: its `verdict` and `spam_probability`, or, from a siftd that does
    /// not send them yet, its `label` and `probabilities.spam`. Nil for anything else.
    init?(reply: JSONValue) {
        if let verdict = reply["verdict"]?.stringValue.flatMap(Kind.init(rawValue:)),
           let probability = reply["spam_probability"]?.numberValue {
            kind = verdict
            spamProbability = probability
        } else if let label = reply["label"]?.stringValue.flatMap(Kind.init(rawValue:)),
                  let probability = reply["probabilities"]?["spam"]?.numberValue {
            kind = label
            spamProbability = probability
        } else {
            return nil
        }
        messageID = reply["message_id"]?.intValue
        model = reply["model"]?.stringValue
    }

    private var probabilityText: String { String(format: "%.3f", spamProbability) }

    /// What `sift check` prints: `spam 0.987 id=123 model=r3`.
    var line: String {
        var parts = [kind.rawValue, probabilityText]
        if let messageID { parts.append("id=\(messageID)") }
        if let model { parts.append("model=\(model)") }
        return parts.joined(separator: " ")
    }

    /// The added header fields of `sift check --passthrough`.
    var headerFields: [(name: String, value: String)] {
        var status = "\(kind.rawValue); p=\(probabilityText)"
        if let model { status += "; model=\(model)" }
        if let messageID { status += "; id=\(messageID)" }
        return [("X-Sift-Status", status), ("X-Spam-Flag", kind == .spam ? "YES" : "NO")]
    }
}

/// Asks siftd for the verdict on one text, within a deadline.
enum VerdictQuery {
    /// Why there is no verdict: both are the daemon's trouble, never the message's.
    enum Failure: Error, CustomStringConvertible {
        /// Not running, unreachable, the connection broke, or it answered with an error.
        case unavailable(String)
        /// Timed out or `overloaded`: worth trying again later.
        case temporary(String)

        var description: String {
            switch self {
            case let .unavailable(reason), let .temporary(reason): reason
            }
        }
    }

    static func ask(_ text: String, socketPath: String, timeout: Double) throws(Failure) -> Verdict {
        let deadline = Date().addingTimeInterval(timeout)
        func remaining() -> Double { max(0, deadline.timeIntervalSinceNow) }
        let reply: JSONValue
        do {
            let client = try LineClient(socketPath: socketPath, timeout: timeout)
            client.setTimeout(seconds: remaining())
            try client.send(["op": "classify", "text": .string(text)])
            client.setTimeout(seconds: remaining())
            guard let answer = try client.readReply() else { throw Failure.unavailable("siftd closed the connection without replying") }
            reply = answer
        } catch let failure as Failure {
            throw failure
        } catch LineClient.Failure.timedOut(let what) {
            throw .temporary("siftd did not answer within \(timeout) s (\(what))")
        } catch {
            throw .unavailable("\(error)")
        }
        if let code = reply["error"]?["code"]?.stringValue {
            let message = "siftd refused: \(code): \(reply["error"]?["message"]?.stringValue ?? "")"
            throw code == "overloaded" ? .temporary(message) : .unavailable(message)
        }
        guard let verdict = Verdict(reply: reply) else {
            throw .unavailable("unexpected reply from siftd: \(JSONWriter.string(reply).prefix(200))")
        }
        return verdict
    }
}
