import Checksum
import Foundation

/// Hashes the texts of one batch, each repeated text once. A flood repeats one text many
/// times, and SHA-256 of a 1 MiB text costs milliseconds where comparing it with the text
/// hashed before costs a `memcmp`.
///
/// Texts are compared by their UTF-8 bytes, which is what the hash covers, not with `==`:
/// Swift's string equality is canonical equivalence, under which a composed and a
/// decomposed "é" are equal although their bytes, and hashes, differ.
package struct BatchTextHasher {
    /// The latest text hashed of each UTF-8 length, and its hash.
    private var latestByLength: [Int: (text: String, sha256: String)] = [:]

    package init() {}

    package mutating func sha256(_ text: String) -> String {
        let length = text.utf8.count
        if let latest = latestByLength[length], Self.sameBytes(latest.text, text) {
            return latest.sha256
        }
        let sha256 = SHA256.hex(text)
        latestByLength[length] = (text, sha256)
        return sha256
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        let compared = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                x.count == y.count
                    && (x.count == 0 || x.baseAddress == y.baseAddress || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
        return (compared ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }
}
