import Foundation
import SiftDaemon
import SiftJSON

/// Requests pipelined on one connection with at most `size` unanswered, so a long run goes at
/// the daemon's pace without waiting a round trip per request and without piling up in it.
///
/// One thread sends and reads: with a small window the replies (tens of bytes each) always fit
/// in the socket buffers, so neither side can block the other. A request answered `overloaded`
/// is sent again after a pause, a few times, before its reply is given up to the caller.
final class RequestWindow {
    private struct Sent {
        var request: JSONValue
        var origin: String
        var attempts: Int
    }

    static let maxAttempts = 5

    private let client: LineClient
    private let size: Int
    private let onReply: (JSONValue, String) -> Void
    private var unanswered: [Sent] = []
    private var head = 0

    /// `onReply` gets each final reply with the origin its request was submitted with.
    init(client: LineClient, size: Int, onReply: @escaping (JSONValue, String) -> Void) {
        self.client = client
        self.size = max(1, size)
        self.onReply = onReply
    }

    var unansweredCount: Int { unanswered.count - head }

    func submit(_ request: JSONValue, origin: String) throws {
        while unansweredCount >= size { try receiveOne() }
        try send(Sent(request: request, origin: origin, attempts: 1))
    }

    /// Waits for every reply.
    func drain() throws {
        while unansweredCount > 0 { try receiveOne() }
    }

    private func send(_ sent: Sent) throws {
        try client.send(sent.request)
        unanswered.append(sent)
    }

    private func receiveOne() throws {
        guard let reply = try client.readReply() else {
            throw LineClient.Failure.io("siftd closed the connection with \(unansweredCount) requests unanswered")
        }
        let sent = unanswered[head]
        head += 1
        if head > 1024 {
            unanswered.removeFirst(head)
            head = 0
        }
        if reply["error"]?["code"]?.stringValue == "overloaded", sent.attempts < Self.maxAttempts {
            // Back off a little more each time; the daemon said nothing was done.
            usleep(UInt32(50_000 << sent.attempts))
            try send(Sent(request: sent.request, origin: sent.origin, attempts: sent.attempts + 1))
            return
        }
        onReply(reply, sent.origin)
    }
}
