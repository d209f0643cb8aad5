import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `--socket` and `--wait-ready`, shared by the commands that talk to siftd.
struct DaemonSocketOptions: ParsableArguments {
    @Option(help: "siftd's socket (default: $SIFT_SOCKET, else \(DaemonConfig().socket.path)).")
    var socket: String?

    // `--wait-ready` alone is rewritten to `--wait-ready=30`, and `--wait-ready N` to
    // `--wait-ready=N`, before parsing (WaitReadyArgument): ArgumentParser has no options with an
    // optional value.
    @Option(name: .customLong("wait-ready"), help: ArgumentHelp(
        "Wait up to this many seconds for siftd's socket to accept a connection (while it is missing or refused), "
            + "then go on. --wait-ready alone waits \(WaitReadyArgument.defaultSeconds) s; a number right after it (or joined by =) is the time. "
            + "Without it, a missing socket fails at once.",
        valueName: "seconds"))
    var waitReady: Double?

    func validate() throws {
        if let waitReady, !(waitReady >= 0 && waitReady.isFinite) {
            throw ValidationError("--wait-ready takes a number of seconds, 0 or more, not \(waitReady)")
        }
    }

    var path: String {
        if let socket { return socket }
        if let env = ProcessInfo.processInfo.environment["SIFT_SOCKET"], !env.isEmpty { return env }
        return DaemonConfig().socket.path
    }

    /// Connects, first waiting for the socket with --wait-ready; otherwise says why not (with
    /// what to do) and exits with ``DaemonExit/cannotConnect``. `timeout` bounds connecting and
    /// then each send and read (nil: no bound).
    func connect(timeout: Double? = nil) throws -> LineClient {
        do {
            return try connectWhenReady(timeout: timeout)
        } catch {
            if case .timedOut = error { throw DaemonCall.connectionLost(error, timeout: timeout) }
            CLI.printError(ConnectHint.message(for: error, path: path, waited: waitReady))
            throw DaemonExit.cannotConnect
        }
    }

    /// A connection, retried every 0.1 s while the socket is missing or refused until
    /// --wait-ready's time has passed (without --wait-ready, one try); throws LineClient's failure.
    func connectWhenReady(timeout: Double?) throws(LineClient.Failure) -> LineClient {
        let deadline = waitReady.map { Date().addingTimeInterval($0) }
        var announced = false
        while true {
            do {
                return try LineClient(socketPath: path, timeout: timeout)
            } catch let LineClient.Failure.cannotConnect(_, _, code) where ConnectHint.isNotReadyYet(code)
                && deadline.map({ $0.timeIntervalSinceNow > 0 }) == true {
                if !announced {
                    CLI.printError("waiting up to \(Self.seconds(waitReady ?? 0)) for siftd's socket at \(path)")
                    announced = true
                }
                usleep(100_000)
            } catch let failure as LineClient.Failure {
                throw failure
            } catch {
                throw .io("\(error)")
            }
        }
    }

    static func seconds(_ value: Double) -> String { String(format: "%g s", value) }
}

/// `--timeout`, for every command that talks to siftd except `check` (which has its own, with a
/// default: a mail filter must not wait forever).
struct ReplyTimeoutOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Give up after this many seconds without an answer from siftd (connecting, and each reply) and exit 4. "
            + "Default: wait as long as siftd takes (a hung siftd is restarted by its watchdog, which ends the connection).",
        valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)")
        }
    }
}

/// Exit statuses of the commands that talk to siftd, for scripts.
enum DaemonExit {
    /// The daemon answered with an error object (said on stderr).
    static let errorReply = ExitCode(1)
    static let cannotConnect = ExitCode(3)
    /// The connection broke, a reply could not be read, or --timeout passed.
    static let connectionLost = ExitCode(4)

    /// For the --help of each command with --format.
    static let help = """
        Output: --format human (readable lines and tables), json (siftd's reply, one JSON line \
        per request, as the protocol defines it) or auto, the default: human when stdout is a \
        terminal, else json, so scripts and pipes get JSON. --json is --format json. An error \
        reply is said on stderr as "sift: CODE: MESSAGE" (with a hint where one helps); in JSON \
        its reply line is printed on stdout too.

        \(statusHelp)
        """

    /// Exit statuses and the socket, for every command that talks to siftd.
    static let statusHelp = """
        Exit status: 0 success; 1 siftd answered with an error; 3 cannot connect to the socket \
        (or it was not ready within --wait-ready); 4 the connection broke, a reply was \
        unreadable, or --timeout passed; 64 wrong arguments. The socket is --socket, else \
        $SIFT_SOCKET, else /run/sift/siftd.sock.
        """
}

/// What `--timeout` passing is called, whichever step it was.
enum TimeoutMessage {
    static func text(seconds: Double, what: String) -> String {
        "siftd did not answer within \(DaemonSocketOptions.seconds(seconds)) (\(what)); it may be overloaded or stuck: "
            + "try sift health, or see its log (journalctl -u siftd)"
    }
}

/// One request, one reply: what `correct`, `forget`, `stats`, `health`, `models` and the like do.
enum DaemonCall {
    /// Sends `request` and returns the parsed reply. With `printJSON` the reply line is printed
    /// on stdout as it came. An error reply is said on stderr (and, with `printJSON`, printed
    /// too), then exits 1.
    @discardableResult
    static func run(_ request: JSONValue, socket: DaemonSocketOptions, timeout: Double?, printJSON: Bool) throws -> JSONValue {
        let client = try socket.connect(timeout: timeout)
        do { try client.send(request) } catch { throw connectionLost(error, timeout: timeout) }
        let (line, reply) = try readReply(from: client, timeout: timeout, closed: "siftd closed the connection without replying")
        if printJSON { FileHandle.standardOutput.write(Data(line + [10])) }
        if let error = ErrorReply(reply) {
            CLI.printError(error.text)
            throw DaemonExit.errorReply
        }
        return reply
    }

    /// The next reply line and its JSON; a timeout, a closed connection (`closed` says how) or an
    /// unreadable reply is said on stderr and exits ``DaemonExit/connectionLost``.
    static func readReply(from client: LineClient, timeout: Double?, closed: String) throws -> (line: [UInt8], reply: JSONValue) {
        do {
            guard let line = try client.readLine() else { throw LineClient.Failure.io(closed) }
            return (line, try JSONParser.parse(line))
        } catch {
            throw connectionLost(error, timeout: timeout)
        }
    }

    /// Says on stderr why the connection is lost (a --timeout that passed, in its own words) and
    /// returns the exit status for it.
    static func connectionLost(_ error: any Error, timeout: Double?) -> ExitCode {
        if case let .timedOut(what)? = error as? LineClient.Failure {
            CLI.printError(TimeoutMessage.text(seconds: timeout ?? 0, what: what))
        } else {
            CLI.printError("\(error)")
        }
        return DaemonExit.connectionLost
    }
}

/// The options of a command that sends siftd one request and prints its reply.
struct DaemonRequestOptions: ParsableArguments {
    @OptionGroup var socket: DaemonSocketOptions
    @OptionGroup var timeout: ReplyTimeoutOption
    @OptionGroup var output: OutputOptions

    /// Sends `request` (see ``DaemonCall/run(_:socket:timeout:printJSON:)``) and prints the
    /// reply: as it came in JSON, else what `human` makes of it.
    @discardableResult
    func call(_ request: JSONValue, human: (JSONValue) -> String) throws -> JSONValue {
        let reply = try DaemonCall.run(request, socket: socket, timeout: timeout.timeout, printJSON: output.isJSON)
        if !output.isJSON { print(human(reply)) }
        return reply
    }
}
