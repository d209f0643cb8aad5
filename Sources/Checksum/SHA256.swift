/// SHA-256 (FIPS 180-4) for model files, message hashes and anything else that needs a digest.
///
/// Pure Swift because Linux has no CryptoKit and the project does not take swift-crypto for
/// one function. For large inputs use ``SHA256Hasher`` (or ``SHA256/hash(contentsOf:)``) so
/// the data never has to be in memory at once.
public enum SHA256 {
    /// Size of a digest in bytes.
    public static let digestByteCount = 32

    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes` as 64 lowercase hex characters (the form `sha256sum` prints).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        hexEncoded(hash(bytes))
    }

    /// The digest of a string's UTF-8 bytes as lowercase hex.
    public static func hex(_ string: String) -> String {
        var string = string
        return string.withUTF8 { hex($0) }
    }

    /// Lowercase hex of any bytes, e.g. a digest from ``SHA256Hasher/finalize()``.
    public static func hexEncoded(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
