import Foundation

/// Which peers may run the operations that change labels (and, later, models).
///
/// `classify` and the read-only operations need only access to the socket, which the socket
/// file's mode and group already decide. Operations listed in ``guardedOperations`` need a rule.
public struct AuthorizationPolicy: Sendable, Equatable {
    /// The operations a rule can be written for (`authorization.<op>` in the config).
    /// `retrain` and `rollback` belong to the retraining loop; their rules are read already.
    public static let guardedOperations = ["correct", "label", "forget", "retrain", "rollback"]

    public struct Rule: Sendable, Equatable {
        public var uids: Set<UInt32> = []
        public var gids: Set<UInt32> = []

        public init(uids: Set<UInt32> = [], gids: Set<UInt32> = []) {
            self.uids = uids
            self.gids = gids
        }
    }

    /// Lets a peer running as the daemon's own user do everything.
    public var allowOwnUID = true
    public var ownUID: UInt32 = getuid()
    public var rules: [String: Rule] = [:]

    public init(allowOwnUID: Bool = true, ownUID: UInt32 = getuid(), rules: [String: Rule] = [:]) {
        self.allowOwnUID = allowOwnUID
        self.ownUID = ownUID
        self.rules = rules
    }

    public static func isGuarded(_ operation: String) -> Bool { guardedOperations.contains(operation) }

    public func allows(_ peer: PeerCredentials, toRun operation: String) -> Bool {
        guard Self.isGuarded(operation) else { return true }
        if allowOwnUID && peer.uid == ownUID { return true }
        guard let rule = rules[operation] else { return false }
        if rule.uids.contains(peer.uid) { return true }
        return rule.gids.contains(peer.gid) || peer.supplementaryGroups.contains { rule.gids.contains($0) }
    }
}
