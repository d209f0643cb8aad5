import ArgumentParser

/// `--wait-ready[=SECONDS]`: an option whose value may be left out, which ArgumentParser cannot
/// declare (an option there always takes a value, and would take the next argument, a text or
/// a message id, for it). So before parsing, `--wait-ready` followed by a number becomes
/// `--wait-ready=NUMBER` (as `--help` shows it, with a space), and `--wait-ready` alone becomes
/// `--wait-ready=30`. `--wait-ready=SECONDS` is left as it is.
enum WaitReadyArgument {
    static let defaultSeconds = 30

    static func expanding(_ arguments: [String]) -> [String] {
        var expanded: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                expanded.append(contentsOf: arguments[(index - 1)...])
                break
            }
            guard argument == "--wait-ready" else {
                expanded.append(argument)
                continue
            }
            if index < arguments.endIndex, let seconds = Double(arguments[index]), seconds.isFinite {
                expanded.append("--wait-ready=\(arguments[index])")
                index += 1
            } else {
                expanded.append("--wait-ready=\(defaultSeconds)")
            }
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
