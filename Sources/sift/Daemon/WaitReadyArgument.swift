import ArgumentParser

/// `--wait-ready[=SECONDS]`: an option whose value may be left out, which ArgumentParser cannot
/// declare (an option there always takes a value, and would take the next argument, a text or
/// a message id, for it). So `--wait-ready` alone is rewritten to `--wait-ready=30` before
/// parsing; with a value it must be joined by `=`, as for GNU getopt's optional arguments.
enum WaitReadyArgument {
    static let defaultSeconds = 30

    static func expanding(_ arguments: [String]) -> [String] {
        var expanded: [String] = []
        var afterTerminator = false
        for argument in arguments {
            if !afterTerminator && argument == "--wait-ready" {
                expanded.append("--wait-ready=\(defaultSeconds)")
            } else {
                expanded.append(argument)
            }
            if argument == "--" { afterTerminator = true }
        }
        return expanded
    }
}

extension Sift {
    /// Chosen by `@main` over ArgumentParser's own: rewrites the arguments, then runs as usual.
    static func main() async {
        await main(WaitReadyArgument.expanding(Array(CommandLine.arguments.dropFirst())))
    }
}
