import SiftJSON

/// One protocol operation (`classify`, `correct`, …): reads its fields, does its work, and
/// returns the fields of its reply, or throws the ``ProtocolError`` to answer with. Each
/// operation is built with the parts of the daemon it uses (``OperationTable/standard(_:)``).
///
/// Whether a peer may run it is decided before ``run(_:context:)`` by
/// ``AuthorizationPolicy/allows(_:toRun:)`` on the operation's ``name``.
public protocol Operation: Sendable {
    var name: String { get }
    /// Changes stored state. Such operations run one after another, in the order they were
    /// sent on their connection, so `correct` then `forget` of one message means what it says.
    /// Others run concurrently (their replies still go out in order).
    var changesState: Bool { get }
    func run(_ fields: RequestFields, context: RequestContext) async throws(ProtocolError) -> [(key: String, value: JSONValue)]
}

extension Operation {
    public var changesState: Bool { false }
}

/// Who asked.
public struct RequestContext: Sendable {
    public var peer: PeerCredentials
    /// Whether the client is still connected (long work for one that left is dropped).
    public var presence: ClientPresence
}
