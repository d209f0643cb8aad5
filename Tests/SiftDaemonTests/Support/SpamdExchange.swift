import Foundation
import SiftDaemon

/// One raw SPAMC exchange over a Unix socket, for requests `spamc` would never send: the
/// bytes go out, and everything the daemon writes until it closes comes back.
enum SpamdExchange {
    static func send(_ request: [UInt8], to socket: String, closeInput: Bool = false) throws -> String {
        let client = try LineClient(socketPath: socket)
        client.setReceiveTimeout(seconds: 60)
        if !request.isEmpty { try client.send(request) }
        if closeInput { client.finishSending() }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(client.fileDescriptor, &buffer, buffer.count)
            if count == 0 { break }
            guard count > 0 else { throw LineClient.Failure.io("read: \(String(cString: strerror(errno)))") }
            reply += buffer[..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    static func send(_ request: String, to socket: String, closeInput: Bool = false) throws -> String {
        try send(Array(request.utf8), to: socket, closeInput: closeInput)
    }
}
