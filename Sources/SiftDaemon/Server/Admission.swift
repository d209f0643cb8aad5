import Synchronization

/// Work in flight across every connection: requests read and not yet taken by their client,
/// with their bytes (the request line, then the reply until the kernel has it). A request past
/// a bound is answered `overloaded` at once instead of being queued, so memory and the wait of
/// everyone else stay bounded however many lines a client pipelines or however slowly it reads.
///
/// A request is charged its line plus what its reply will hold at most (``replyAllowance(for:)``)
/// when it is admitted, so a burst of pipelined `stats` cannot pass the bound before any reply
/// exists; the charge is corrected to the real reply once it is written.
///
/// `health` and `metrics` are exempt from the global bounds (they cost nothing and are how an
/// operator sees the overload), not from the per-uid one.
final class Admission: Sendable {
    struct Limits: Sendable {
        var maxInFlight: Int
        var maxInFlightBytes: Int
        var maxInFlightPerUID: Int

        init(_ config: DaemonConfig.Limits) {
            maxInFlight = config.maxInFlight
            maxInFlightBytes = config.maxInFlightBytes
            maxInFlightPerUID = config.maxInFlightPerUID
        }
    }

    /// One admitted request's share; handed back to ``release(_:)`` exactly once.
    struct Ticket: Sendable {
        var uid: UInt32
        var bytes: Int
        /// Part of `bytes` charged for the reply before it existed.
        var allowance: Int
    }

    static let exemptOperations: Set<String> = ["health", "metrics"]

    private struct State {
        var requests = 0
        var bytes = 0
        var perUID: [UInt32: Int] = [:]

        /// Which global bound one more request of `bytes` would pass; nil: none.
        func globalRefusal(adding bytes: Int, limits: Limits) -> String? {
            if requests >= limits.maxInFlight {
                return "\(requests) requests are in flight (limits.max_in_flight)"
            }
            if self.bytes > 0 && self.bytes + bytes > limits.maxInFlightBytes {
                return "\(self.bytes >> 20) MiB of requests and replies are in flight (limits.max_in_flight_bytes)"
            }
            return nil
        }
    }

    private let state = Mutex(State())
    private let metrics: DaemonMetrics

    init(metrics: DaemonMetrics) { self.metrics = metrics }

    var inFlightBytes: Int { state.withLock { $0.bytes } }

    /// The most a reply can hold: `stats` lists every day asked for (well under 96 bytes a day);
    /// every other reply is short (its error message, a model list of a few versions).
    static func replyAllowance(for request: Request?) -> Int {
        guard let request, request.op == "stats" else { return 2048 }
        let days = (try? request.fields.optionalInt("days")) ?? 7
        return 1024 + 96 * Int(min(max(days, 1), 366))
    }

    /// Lines longer than this that would not fit are refused before they are decoded: decoding
    /// a megabyte of JSON on the event loop is what a flood of big lines really costs. (No
    /// exempt request is this long, so none is refused this way by mistake.)
    static let undecodedRefusalBytes = 4096

    /// The refusal of a line longer than ``undecodedRefusalBytes`` that would pass a global
    /// bound, decided without counting it (it is counted once decoded, if it fits); nil: go on.
    func refusalBeforeDecoding(lineBytes: Int, limits: Limits) -> ProtocolError? {
        guard lineBytes > Self.undecodedRefusalBytes else { return nil }
        guard let refusal = state.withLock({ $0.globalRefusal(adding: lineBytes, limits: limits) }) else { return nil }
        return overloaded("a \(lineBytes >> 10) KiB request does not fit now: \(refusal)")
    }

    /// Counts a request of `bytes` for `uid`, or says which bound it would pass.
    func admit(uid: UInt32, lineBytes: Int, request: Request?, limits: Limits) -> Result<Ticket, ProtocolError> {
        let exempt = request.map { Self.exemptOperations.contains($0.op) } ?? false
        let allowance = Self.replyAllowance(for: request)
        let bytes = lineBytes + allowance
        let refusal: String? = state.withLock { state in
            let ofUID = state.perUID[uid, default: 0]
            if ofUID >= limits.maxInFlightPerUID {
                return "uid \(uid) already has \(ofUID) requests in flight (limits.max_in_flight_per_uid)"
            }
            if !exempt, let refusal = state.globalRefusal(adding: bytes, limits: limits) { return refusal }
            state.requests += 1
            state.bytes += bytes
            state.perUID[uid] = ofUID + 1
            return nil
        }
        if let refusal { return .failure(overloaded(refusal)) }
        return .success(Ticket(uid: uid, bytes: bytes, allowance: allowance))
    }

    private func overloaded(_ why: String) -> ProtocolError {
        metrics.overloaded.increment()
        return ProtocolError(.overloaded, "the daemon is overloaded: \(why); retry later")
    }

    /// Replaces the reply allowance a request was charged with its reply's real size.
    func settle(_ ticket: inout Ticket, reply: Int) {
        let change = reply - ticket.allowance
        ticket.allowance = 0
        ticket.bytes += change
        state.withLock { $0.bytes += change }
    }

    func release(_ ticket: Ticket) {
        state.withLock { state in
            state.requests -= 1
            state.bytes -= ticket.bytes
            let left = state.perUID[ticket.uid, default: 1] - 1
            state.perUID[ticket.uid] = left > 0 ? left : nil
        }
    }
}
