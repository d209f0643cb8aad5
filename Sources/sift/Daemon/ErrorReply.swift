import SiftJSON

/// An error reply from siftd, `{"error":{"code":…,"message":…}}`, in the words `sift` says it
/// on stderr: the stable code, siftd's message, and what to do where that is not obvious.
struct ErrorReply {
    var code: String
    var message: String

    /// Nil for a successful reply. A finished retrain run's `error` is a string (the run's own
    /// failure, in a successful reply), not an object.
    init?(_ reply: JSONValue) {
        guard case .object = reply["error"] else { return nil }
        code = reply["error"]?["code"]?.stringValue ?? "unknown_error"
        message = reply["error"]?["message"]?.stringValue ?? ""
    }

    /// `overloaded: MESSAGE; HINT`
    var text: String {
        let said = message.isEmpty ? code : "\(code): \(message)"
        return hint.map { "\(said); \($0)" } ?? said
    }

    var hint: String? {
        switch code {
        case "overloaded": "siftd is at one of its limits: nothing was done, try again in a moment"
        case "too_many_connections": "siftd has as many connections as its limits allow: try again in a moment"
        case "not_authorized": "this user may connect but not do this: siftd.yaml's authorization section lists the uids and groups that may"
        case "retrain_running": "a training run is under way: sift models shows its progress; try again when it has ended"
        case "retrain_unavailable": "siftd is shutting down or cannot start its trainer: see its log (journalctl -u siftd)"
        case "unknown_model": "sift models lists the versions there are"
        case "unknown_message_id": "use a message_id from a classify or label reply"
        case "internal_error": "see siftd's log (journalctl -u siftd)"
        default: nil
        }
    }
}
