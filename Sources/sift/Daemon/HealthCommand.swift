import ArgumentParser
import Foundation
import SiftDaemon
import SiftJSON

/// `sift health`
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Whether siftd is serving, with what model, and how busy it is.",
        discussion: """
            Status is ok, degraded (serving, but not as promised: the reasons are listed) or \
            draining (shutting down).

            \(DaemonExit.help)
            """)

    @OptionGroup var daemon: DaemonRequestOptions

    func run() throws {
        try daemon.call(["op": "health"], human: Self.text)
    }

    static func text(_ reply: JSONValue) -> String {
        func value(_ key: String) -> String {
            guard let field = reply[key] else { return "?" }
            if case let .string(text) = field { return text }
            return JSONWriter.string(field)
        }
        var rows: [(String, String)] = [("status", value("status"))]
        let reasons = reply["degraded"]?.arrayValue ?? []
        rows += [
            ("version", value("version")),
            ("model", value("model")),
            ("labels", (reply["labels"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")),
            ("precision", "\(value("precision")) on \(value("cpu"))"),
            ("uptime", reply["uptime_seconds"]?.numberValue.map(duration) ?? "?"),
            ("connections", value("connections")),
            ("in flight", "\(value("in_flight")) request\(reply["in_flight"]?.intValue == 1 ? "" : "s"), \(reply["in_flight_bytes"]?.intValue.map(bytes) ?? "?")"),
            ("queued", "\(value("queued")) texts waiting for the classifier"),
            ("journal pending", "\(value("journal_pending")) predictions not yet written"),
            ("reloads", value("reloads")),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        var lines = rows.map { "\($0.0):".padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
        if !reasons.isEmpty {
            lines.insert(contentsOf: reasons.map { "  - " + ($0.stringValue ?? JSONWriter.string($0)) }, at: 1)
        }
        return lines.joined(separator: "\n")
    }

    /// 20480 → "20.0 KiB"
    private static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) bytes" }
        if count < 1 << 20 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / Double(1 << 20))
    }

    /// 3725.5 → "1h 2m 5s"
    private static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes, rest) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
        if hours > 0 { return "\(hours)h \(minutes)m \(rest)s" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return String(format: "%.1fs", seconds)
    }
}
