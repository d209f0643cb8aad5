/// A UTC calendar day as the number of days since 1970-01-01, the key of the daily counts.
///
/// Plain arithmetic rather than `Calendar`: the journal computes one per message, and `stats`
/// turns up to a year of them back into dates per request.
package struct UTCDay: Hashable, Comparable, Sendable {
    package static let seconds = 86_400.0

    package var number: Int64

    package init(number: Int64) { self.number = number }

    /// The day that contains the instant `seconds` (Unix seconds, as the store keeps times).
    package init(containing seconds: Double) {
        number = Int64((seconds / Self.seconds).rounded(.down))
    }

    /// Unix seconds of the day's first instant.
    package var start: Double { Double(number) * Self.seconds }

    /// "YYYY-MM-DD", as SQLite's `date(t, 'unixepoch')` writes it (proleptic Gregorian).
    package var isoDate: String {
        // Howard Hinnant's days_from_civil inverse (civil_from_days).
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
    }

    package static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.number < rhs.number }

    /// SQL for the day number of a Unix-seconds column, matching ``init(containing:)``:
    /// floor division without SQLite's optional math functions.
    static func sql(_ column: String) -> String {
        "(CAST(\(column) / 86400 AS INTEGER) - (\(column) < CAST(\(column) / 86400 AS INTEGER) * 86400))"
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
