import SpamStore
import SiftJSON

/// The stable `code` of an error reply. Clients branch on these; docs/protocol.md lists them.
/// Never rename one: add a new code instead.
public enum ErrorCode: String, Sendable, CaseIterable {
    case malformedJSON = "malformed_json"
    case invalidUTF8 = "invalid_utf8"
    case lineTooLong = "line_too_long"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case invalidValue = "invalid_value"
    case unknownOp = "unknown_op"
    case emptyText = "empty_text"
    case unknownLabel = "unknown_label"
    case unknownMessageID = "unknown_message_id"
    case notAuthorized = "not_authorized"
    case internalError = "internal_error"
    /// `retrain` while a training run is already under way.
    case retrainRunning = "retrain_running"
    /// `retrain` in a daemon that cannot start a trainer, or while it shuts down.
    case retrainUnavailable = "retrain_unavailable"
    /// `rollback` to a version that does not exist, was pruned, or when there is nothing earlier.
    case unknownModel = "unknown_model"
    /// Sent unprompted before the daemon closes a connection over the limit.
    case tooManyConnections = "too_many_connections"
    /// Sent unprompted before the daemon closes an idle connection.
    case idleTimeout = "idle_timeout"
    /// The daemon has as much work in flight as its limits allow (all clients, or this uid), or
    /// cannot store predictions right now: nothing was done; retry after a pause.
    case overloaded = "overloaded"
    /// The store (a PostgreSQL server) cannot be reached: nothing was written and nothing is
    /// acknowledged; retry once it is back. Label operations answer this instead of losing a label.
    case storeUnavailable = "store_unavailable"
}

/// An error reply: a stable code, a message for people, and the request field at fault.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var field: String?

    public init(_ code: ErrorCode, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func missing(_ field: String) -> ProtocolError {
        ProtocolError(.missingField, "the request has no \"\(field)\"", field: field)
    }

    static func wrongType(_ field: String, expected: String, got value: JSONValue) -> ProtocolError {
        ProtocolError(.wrongType, "\"\(field)\" must be \(expected), not \(value.typeName)", field: field)
    }

    /// An error no request could have avoided. A store that cannot be reached is its own code:
    /// clients retry it, where an internal error is a bug to report.
    static func internalError(_ error: any Error) -> ProtocolError {
        if case .storeUnavailable? = error as? StoreError {
            return ProtocolError(.storeUnavailable, "\(error)")
        }
        return ProtocolError(.internalError, "\(error)")
    }
}
