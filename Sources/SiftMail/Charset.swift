#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes in a declared charset to Unicode scalars.
///
/// The charsets most mail uses are decoded here by hand (a table lookup per byte, no calls
/// out); any other goes through iconv. Nothing here fails: an unknown or bogus label, a
/// label iconv refuses, and bytes that are not valid in the declared charset all fall back
/// to Windows-1252, the charset undeclared 8-bit mail most often really is in.
enum Charset: Equatable {
    /// UTF-8, and what declares US-ASCII or nothing: invalid sequences are read byte by byte
    /// as Windows-1252, so mislabelled Latin text still reads.
    case utf8
    case latin1
    case latin9
    case windows1252
    /// Through iconv, by this (sanitised, lower-case) name.
    case other(String)

    init(label: ArraySlice<UInt8>?) {
        guard let label else { self = .utf8; return }
        let name = ASCII.lowercasedString(ASCII.trimmed(label))
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "7bit", "8bit":
            self = .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819":
            self = .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9":
            self = .latin9
        case "windows-1252", "cp1252", "x-cp1252", "win-1252", "ms-ansi":
            self = .windows1252
        default:
            // Only names made of the characters real charset names use reach iconv: a label
            // is sender-controlled, and iconv_open also reads paths and "//" suffixes.
            let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46 || $0 == 58 }
            self = allowed && name.utf8.count <= 40 ? .other(name) : .windows1252
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>, into scalars: inout [Unicode.Scalar]) {
        switch self {
        case .utf8: Self.decodeUTF8(bytes, into: &scalars)
        case .latin1: for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        case .latin9: for byte in bytes { scalars.append(Self.latin9(byte)) }
        case .windows1252: for byte in bytes { scalars.append(Self.windows1252(byte)) }
        case .other(let name):
            if !Self.decodeWithIconv(bytes, from: name, into: &scalars) {
                for byte in bytes { scalars.append(Self.windows1252(byte)) }
            }
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        decode(bytes, into: &scalars)
        return scalars
    }

    /// Windows-1252's 0x80–0x9F (where Latin-1 has C1 controls); 0 where it has no character.
    private static let windows1252High: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    @inline(__always) static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        guard byte >= 0x80, byte < 0xA0 else { return Unicode.Scalar(byte) }
        let value = windows1252High[Int(byte - 0x80)]
        return value == 0 ? "\u{FFFD}" : Unicode.Scalar(value)!
    }

    /// ISO-8859-15 is Latin-1 with eight positions changed (the euro sign among them).
    @inline(__always) static func latin9(_ byte: UInt8) -> Unicode.Scalar {
        switch byte {
        case 0xA4: "\u{20AC}"
        case 0xA6: "\u{0160}"
        case 0xA8: "\u{0161}"
        case 0xB4: "\u{017D}"
        case 0xB8: "\u{017E}"
        case 0xBC: "\u{0152}"
        case 0xBD: "\u{0153}"
        case 0xBE: "\u{0178}"
        default: Unicode.Scalar(byte)
        }
    }

    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, into scalars: inout [Unicode.Scalar]) {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let lead = buffer[index]
                if lead < 0x80 {
                    scalars.append(Unicode.Scalar(lead))
                    index += 1
                    continue
                }
                // The sequence length and the smallest value it may encode (no overlong forms).
                let (length, minimum): (Int, UInt32) = switch lead {
                case 0xC2...0xDF: (2, 0x80)
                case 0xE0...0xEF: (3, 0x800)
                case 0xF0...0xF4: (4, 0x10000)
                default: (0, 0)
                }
                var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                var valid = length > 0 && index + length <= count
                if valid {
                    for offset in 1..<length {
                        let byte = buffer[index + offset]
                        if byte & 0xC0 != 0x80 { valid = false; break }
                        value = value << 6 | UInt32(byte & 0x3F)
                    }
                }
                if valid, value >= minimum, let scalar = Unicode.Scalar(value) {
                    scalars.append(scalar)
                    index += length
                } else {
                    scalars.append(windows1252(lead))
                    index += 1
                }
            }
        }
    }

    /// False when iconv does not know the charset; undecodable bytes become U+FFFD.
    private static func decodeWithIconv(_ bytes: ArraySlice<UInt8>, from name: String, into scalars: inout [Unicode.Scalar]) -> Bool {
        #if canImport(Glibc) || canImport(Darwin)
        let converter = iconv_open("UTF-32LE", name)
        guard let converter, Int(bitPattern: converter) != -1 else { return false }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        var output = [UInt32](repeating: 0, count: 1024)
        input.withUnsafeMutableBufferPointer { inputBuffer in
            var inPointer = UnsafeMutableRawPointer(inputBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var inLeft = inputBuffer.count
            while inLeft > 0 {
                var produced = 0
                let result = output.withUnsafeMutableBytes { outputBuffer -> Int in
                    var outPointer = outputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outLeft = outputBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    produced = (outputBuffer.count - outLeft) / 4
                    return result
                }
                for value in output[0..<produced] { scalars.append(Unicode.Scalar(UInt32(littleEndian: value)) ?? "\u{FFFD}") }
                if result == -1 {
                    let error = errno
                    if error == E2BIG { continue }
                    if error == EILSEQ, inLeft > 0 {
                        // An invalid sequence: mark it, skip one byte, carry on.
                        scalars.append("\u{FFFD}")
                        inPointer = inPointer.map { $0 + 1 }
                        inLeft -= 1
                        continue
                    }
                    break  // EINVAL: an incomplete sequence at the end (the input was cut)
                }
            }
        }
        return true
        #else
        return false
        #endif
    }
}
