/// The status code of a spamd reply: sysexits(3) values, as spamd sends them and `spamc`
/// passes them on as its exit status (with `-x`). Only those Sift sends are here.
public enum SpamcStatus: Int, Sendable, CaseIterable {
    case ok = 0
    /// The message is larger than `spamc.max_message_bytes`, or has nothing to read.
    case dataError = 65
    /// Something Sift does not offer (a remote database for `TELL`).
    case unavailable = 69
    /// The daemon failed (e.g. the store); the request had no effect.
    case software = 70
    /// Overloaded or shutting down: try again later.
    case temporaryFailure = 75
    /// A request spamd's protocol does not allow: a bad first line, header or length.
    case protocolError = 76
    /// The peer may not do this (`authorization.<op>` in the config).
    case noPermission = 77
    /// The request did not arrive in `spamc.timeout_seconds`.
    case timeout = 79

    /// The name in the reply line, as spamd writes it (`EX_PROTOCOL`).
    public var name: String {
        switch self {
        case .ok: "EX_OK"
        case .dataError: "EX_DATAERR"
        case .unavailable: "EX_UNAVAILABLE"
        case .software: "EX_SOFTWARE"
        case .temporaryFailure: "EX_TEMPFAIL"
        case .protocolError: "EX_PROTOCOL"
        case .noPermission: "EX_NOPERM"
        case .timeout: "EX_TIMEOUT"
        }
    }
}

/// A request that gets an error reply instead of an answer: its status and why, for people.
public struct SpamcError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: SpamcStatus
    public var message: String

    public init(_ status: SpamcStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.name) (\(status.rawValue)): \(message)" }
}
