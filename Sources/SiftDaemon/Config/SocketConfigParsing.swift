extension DaemonConfigLoader {
    /// A socket file's path (checked to fit a `sockaddr_un`) and its `<section>.mode`, `.owner`
    /// and `.group`: the main socket and the SPAMC socket are set up alike.
    static func parseSocket(_ values: ConfigValues, path: String, pathKey: String, section: String) throws -> DaemonConfig.Socket {
        guard path.utf8.count < 108 else {
            throw DaemonConfigError(key: pathKey, "\(path) is \(path.utf8.count) bytes; a Unix socket path must be shorter than 108")
        }
        var socket = DaemonConfig.Socket(path: path)
        socket.mode = try values.octalMode("\(section).mode", default: socket.mode)
        socket.owner = try values.optionalString("\(section).owner").map { name in
            guard UserDatabase.uid(of: name) != nil else { throw DaemonConfigError(key: "\(section).owner", "no user \(name)") }
            return name
        }
        socket.group = try values.optionalString("\(section).group").map { name in
            guard UserDatabase.gid(of: name) != nil else { throw DaemonConfigError(key: "\(section).group", "no group \(name)") }
            return name
        }
        return socket
    }

    /// `spamc.*`: the SPAMC socket is off unless `spamc.socket` names a path. Its permission keys
    /// are read either way, so a file that sets them while the socket is off is not refused as unknown.
    static func parseSpamc(_ values: ConfigValues, mainSocket: String, into spamc: inout DaemonConfig.Spamc) throws {
        let path = try values.optionalString("spamc.socket")
        if let path, path == mainSocket {
            throw DaemonConfigError(key: "spamc.socket", "\(path) is socket.path already; the SPAMC socket needs a path of its own")
        }
        let socket = try parseSocket(values, path: path ?? "", pathKey: "spamc.socket", section: "spamc")
        spamc.socket = path == nil ? nil : socket
        spamc.maxMessageBytes = try values.int("spamc.max_message_bytes", default: spamc.maxMessageBytes, in: 1024...(1 << 30))
        spamc.timeoutSeconds = try values.int("spamc.timeout_seconds", default: spamc.timeoutSeconds, in: 1...86_400)
    }
}
