import ArgumentParser
import SiftDaemon
import SiftJSON

/// `sift rollback [VERSION]`, or `--version VERSION`
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make an earlier model version active again and serve it.",
        discussion: """
            Without a version: the model that was active before the current one. The daemon swaps \
            it in between batches; if it does not load, nothing changes. `sift models` lists \
            versions. The version is given as VERSION or --version VERSION (here --version is the \
            model's, not sift's; sift --version prints sift's).

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    // Named `version` on the command line: this subcommand's own option is parsed before
    // ArgumentParser looks for its built-in --version, so `rollback --version r3` means r3.
    @Option(name: .customLong("version"), help: ArgumentHelp("The version to serve (as VERSION).", valueName: "version"))
    var versionOption: String?

    @Argument(help: "The version to serve (see sift models).")
    var version: String?

    func validate() throws {
        if let versionOption, let version, versionOption != version {
            throw ValidationError("two versions given (\(version) and --version \(versionOption)); give one")
        }
    }

    func run() throws {
        var request: [(key: String, value: JSONValue)] = [("op", .string("rollback"))]
        if let target = versionOption ?? version { request.append(("version", .string(target))) }
        try daemon.call(.object(request)) { reply in
            let active = reply["active"]?.stringValue ?? "?"
            let retired = reply["retired"]?.stringValue.map { " (\($0) retired)" } ?? ""
            return "\(active) is active\(retired); serving \(reply["serving"]?.stringValue ?? "?")"
        }
    }
}
