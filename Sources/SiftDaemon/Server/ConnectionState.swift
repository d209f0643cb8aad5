/// Where a connection (``ConnectionHandler``) is in its life; each state starts less than the
/// one before. Only the event loop of its channel reads or changes it.
enum ConnectionState {
    /// Reading lines and starting requests.
    case open
    /// The client shut its side: the lines already framed are started, then the last,
    /// unterminated one.
    case inputClosed
    /// Nothing more starts (all input taken, or the daemon is shutting down): closes once
    /// every reply is written.
    case finishing
    /// Closing (done, or idle too long): nothing more starts.
    case closing
    /// Refused at connect (too many connections): the refusal goes out, then the close.
    /// Never registered.
    case refused
    /// The channel is gone: nothing more is written.
    case closed

    var startsRequests: Bool { self == .open || self == .inputClosed }
    var isClosing: Bool { self == .closing || self == .refused || self == .closed }
}
