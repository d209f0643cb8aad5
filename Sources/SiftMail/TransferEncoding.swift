/// Content-Transfer-Encoding (RFC 2045 §6): base64 and quoted-printable, both tolerant of
/// bad input, because spam is often malformed on purpose: whatever can be decoded is.
enum TransferEncoding {
    case identity, base64, quotedPrintable

    init(_ header: ArraySlice<UInt8>?) {
        switch header.map({ ASCII.lowercasedString(ASCII.trimmed($0)) }) {
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .identity  // 7bit, 8bit, binary, absent or unknown: the bytes as they are
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .identity: Array(bytes)
        case .base64: Self.base64(bytes)
        case .quotedPrintable: Self.quotedPrintable(bytes)
        }
    }

    /// 6-bit values of the base64 alphabet; 0xFF for every other byte (skipped when decoding).
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        // The URL-safe alphabet too: some senders use it, and it costs nothing to accept.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Bytes outside the alphabet (line ends, junk) are skipped; `=` ends the data; a last
    /// incomplete group gives the whole bytes it holds.
    static func base64(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        base64Values.withUnsafeBufferPointer { values in
            for byte in input {
                if byte == ASCII.equals { break }
                let value = values[Int(byte)]
                if value == 0xFF { continue }
                accumulator = (accumulator << 6) | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
        }
        return output
    }

    /// `=XX` escapes and soft line breaks (`=` at a line end, trailing white space allowed);
    /// an `=` not followed by two hex digits stays as it is.
    static func quotedPrintable(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            guard byte == ASCII.equals else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < input.endIndex,
               let high = ASCII.hexValue(input[index + 1]), let low = ASCII.hexValue(input[index + 2]) {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            // A soft line break: "=", optional spaces or tabs, then the line end.
            var after = index + 1
            while after < input.endIndex, input[after] == ASCII.space || input[after] == ASCII.tab { after += 1 }
            if after < input.endIndex, input[after] == ASCII.cr { after += 1 }
            if after == input.endIndex || input[after] == ASCII.lf {
                index = min(after + 1, input.endIndex)
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }
}
