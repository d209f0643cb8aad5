/// The model text being written: UTF-8 bytes, cut at a budget of Unicode scalars, white space
/// collapsed as it goes (a run with a line end becomes one "\n", any other run one space,
/// none at a line start or at the end), so the budget is spent on words, not on layout.
///
/// Invisible characters spam uses to break up words (zero-width spaces and joiners, the
/// BOM, soft hyphens) are dropped; other control characters count as white space.
struct TextBuilder {
    let budget: Int
    private(set) var utf8: [UInt8] = []
    /// Unicode scalars written so far.
    private(set) var count = 0
    /// White space waiting for the next visible character: 0 none, 1 a space, 2 a line end.
    private var pending = 0
    private var atLineStart = true
    /// When set, line ends are written as spaces (header lines, attachment names).
    var singleLine = false

    init(budget: Int) {
        self.budget = max(0, budget)
        utf8.reserveCapacity(min(self.budget, 1 << 16) + 64)
    }

    var isFull: Bool { count >= budget }
    var remaining: Int { max(0, budget - count) }

    /// Text written as it is (the fixed labels of the layout), still within the budget.
    mutating func literal(_ text: String) {
        if pending > 0, !atLineStart, !isFull { write(pending == 2 && !singleLine ? "\n" : " ") }
        pending = 0
        for scalar in text.unicodeScalars {
            guard !isFull else { return }
            write(scalar)
            atLineStart = scalar == "\n"
        }
    }

    /// The next text starts on a new line (a block, a new part).
    mutating func breakLine() {
        pending = 2
    }

    mutating func append(_ scalars: some Sequence<Unicode.Scalar>) {
        for scalar in scalars {
            if isFull { return }
            append(scalar)
        }
    }

    mutating func append(_ text: String) {
        append(text.unicodeScalars)
    }

    @inline(__always) mutating func append(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value <= 0x20 || (value >= 0x7F && value <= 0xA0) || value == 0x2028 || value == 0x2029 {
            let isLineEnd = value == 0x0A || value == 0x0D || value == 0x0C || value == 0x0B || value == 0x2028 || value == 0x2029
            pending = max(pending, isLineEnd ? 2 : 1)
            return
        }
        if value == 0xAD || (value >= 0x200B && value <= 0x200D) || value == 0x2060 || value == 0xFEFF { return }
        if pending > 0, !atLineStart, !isFull {
            write(pending == 2 && !singleLine ? "\n" : " ")
        }
        pending = 0
        guard !isFull else { return }
        write(scalar)
        atLineStart = false
    }

    @inline(__always) private mutating func write(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        count += 1
        if value < 0x80 {
            utf8.append(UInt8(value))
        } else if value < 0x800 {
            utf8.append(UInt8(0xC0 | value >> 6))
            utf8.append(UInt8(0x80 | value & 0x3F))
        } else if value < 0x10000 {
            utf8.append(UInt8(0xE0 | value >> 12))
            utf8.append(UInt8(0x80 | (value >> 6) & 0x3F))
            utf8.append(UInt8(0x80 | value & 0x3F))
        } else {
            utf8.append(UInt8(0xF0 | value >> 18))
            utf8.append(UInt8(0x80 | (value >> 12) & 0x3F))
            utf8.append(UInt8(0x80 | (value >> 6) & 0x3F))
            utf8.append(UInt8(0x80 | value & 0x3F))
        }
        if value == 0x0A { atLineStart = true }
    }

    var text: String { String(decoding: utf8, as: UTF8.self) }
}
