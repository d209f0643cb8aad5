import Foundation

/// User and group names as the system resolves them (a number stands for itself).
enum UserDatabase {
    static func uid(of nameOrNumber: String) -> UInt32? {
        if let number = UInt32(nameOrNumber) { return number }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(nameOrNumber, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    static func gid(of nameOrNumber: String) -> UInt32? {
        if let number = UInt32(nameOrNumber) { return number }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(nameOrNumber, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
