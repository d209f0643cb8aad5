import Foundation

/// Row id of a message; the daemon hands it to clients as `message_id`.
public typealias MessageID = Int64
/// Row id of one label event (a label, a superseding label, or a withdrawal).
public typealias LabelEventID = Int64
public typealias TrainingRunID = Int64

/// The credentials of the Unix-socket peer that sent something (SO_PEERCRED).
public struct Peer: Sendable, Equatable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Where a label came from.
public enum LabelSource: String, Sendable, Codable, CaseIterable {
    /// A user said a classified message was really something else (or confirmed it).
    case correction
    /// Bulk import of an existing labeled data set.
    case `import`
    /// A client labeled a new message directly (the `label` op).
    case api
}

/// Instants are stored as Unix seconds (REAL) so SQLite's `date(…, 'unixepoch')` can group
/// them by day and comparisons are plain numbers.
extension Date {
    var storeSeconds: Double { timeIntervalSince1970 }
    init(storeSeconds: Double) { self.init(timeIntervalSince1970: storeSeconds) }
}
