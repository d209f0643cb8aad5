import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `--socket`, shared by the commands that talk to siftd.
struct DaemonSocketOptions: ParsableArguments {
    @Option(help: "siftd's socket (default: $SIFT_SOCKET, else \(DaemonConfig().socket.path)).")
    var socket: String?

    var path: String {
        if let socket { return socket }
        if let env = ProcessInfo.processInfo.environment["SIFT_SOCKET"], !env.isEmpty { return env }
        return DaemonConfig().socket.path
    }

    /// Connects, or exits with ``DaemonExit/cannotConnect``.
    func connect() throws -> LineClient {
        do {
            return try LineClient(socketPath: path)
        } catch {
            CLI.printError("\(error)")
            throw DaemonExit.cannotConnect
        }
    }
}

/// Exit statuses of the commands that talk to siftd, for scripts.
enum DaemonExit {
    /// The daemon answered with an error object (printed).
    static let errorReply = ExitCode(1)
    static let cannotConnect = ExitCode(3)
    /// The connection broke, or a reply could not be read.
    static let connectionLost = ExitCode(4)

    /// For each command's --help.
    static let help = """
        Exit status: 0 success; 1 siftd answered with an error (printed as JSON); \
        3 cannot connect to the socket; 4 the connection broke or a reply was unreadable; \
        64 wrong arguments. The socket is --socket, else $SIFT_SOCKET, else /run/sift/siftd.sock.
        """
}

/// One request, one reply: what `correct`, `forget`, `stats`, `health`, `models` do.
enum DaemonCall {
    /// Sends `request`, prints the reply line as it came (one JSON object), and exits 1 if it
    /// is an error reply. Returns the parsed reply.
    @discardableResult
    static func run(_ request: JSONValue, socket: DaemonSocketOptions, printReply: Bool = true) throws -> JSONValue {
        let client = try socket.connect()
        let line: [UInt8]
        let reply: JSONValue
        do {
            try client.send(request)
            guard let received = try client.readLine() else { throw LineClient.Failure.io("siftd closed the connection without replying") }
            line = received
            reply = try JSONParser.parse(line)
        } catch {
            CLI.printError("\(error)")
            throw DaemonExit.connectionLost
        }
        // An error reply's "error" is an object (code, message); a finished retrain run's
        // "error" is the run's own failure, a string, in a successful reply.
        let isErrorReply = if case .object = reply["error"] { true } else { false }
        if printReply || isErrorReply {
            FileHandle.standardOutput.write(Data(line + [10]))
        }
        if isErrorReply { throw DaemonExit.errorReply }
        return reply
    }
}
