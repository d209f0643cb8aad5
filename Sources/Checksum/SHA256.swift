/// SHA-256 (FIPS 180-4) for model files, message hashes and anything else that needs a digest.
///
/// Written here rather than taken from swift-crypto, by measurement (`scripts/compare-sha256`,
/// 2 cores with SHA-NI, 2026-11-30, other builds running on the same cores):
/// - a 498 MB file (gpt2 124M in F32): 2.8-3.1 s here, 0.57-0.58 s with swift-crypto
///   (BoringSSL, SHA-NI). Sift hashes the base model once per training run (`base_sha256`),
///   which takes minutes, and a configured classifier file at start; message texts are hashed
///   as they are stored: about 1.6 µs a message-sized text here, 0.8 µs with swift-crypto,
///   against milliseconds to classify one.
/// - a clean release build of swift-crypto: 291 s of CPU (299 s wall), paid by every CI run,
///   which builds all of Sift in about 450 s.
/// Seconds once per training run do not pay for that. Revisit if hashing lands on a hot path.
///
/// For large inputs use ``SHA256Hasher`` (or ``SHA256/hash(contentsOf:)``) so the data never
/// has to be in memory at once.
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
