/// GPT-2's reversible map between bytes and printable Unicode scalars.
///
/// BPE merges operate on strings of printable characters; bytes that are printable
/// Latin-1 map to themselves and the rest (controls, space, 0x7F-0xA0, 0xAD) to U+0100 onward,
/// so every byte sequence has a visible, unambiguous spelling in `vocab.json`.
public enum ByteUnicodeMap {
    /// `scalar[b]` is the Unicode scalar that stands for byte `b`.
    public static let scalars: [Unicode.Scalar] = {
        var printable = Set<Int>()
        for range in [33...126, 161...172, 174...255] { printable.formUnion(range) }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next = 256
        for byte in 0..<256 {
            if printable.contains(byte) {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(UInt32(next))!
                next += 1
            }
        }
        return table
    }()

    /// The inverse: scalar value to byte, for scalars that stand for a byte.
    public static let bytes: [UInt32: UInt8] = {
        var inverse = [UInt32: UInt8]()
        for (byte, scalar) in scalars.enumerated() { inverse[scalar.value] = UInt8(byte) }
        return inverse
    }()

    /// The inverse as a flat table indexed by scalar value (-1: stands for no byte). Loading
    /// a vocabulary maps about a million scalars, where a dictionary lookup each is noticeable.
    static let byteForScalarValue: [Int16] = {
        let limit = Int(scalars.map(\.value).max()!) + 1
        var table = [Int16](repeating: -1, count: limit)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The byte that `scalar` stands for, or nil if it is outside GPT-2's byte alphabet.
    @inline(__always)
    static func byte(for scalar: UInt32) -> UInt8? {
        let table = byteForScalarValue
        guard scalar < UInt32(table.count) else { return nil }
        let byte = table[Int(scalar)]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// The vocabulary spelling of a byte sequence, e.g. `[0x20, 0x68, 0x69]` is "Ġhi".
    public static func spelling(of bytes: some Sequence<UInt8>) -> String {
        var result = String.UnicodeScalarView()
        for byte in bytes { result.append(scalars[Int(byte)]) }
        return String(result)
    }
}
