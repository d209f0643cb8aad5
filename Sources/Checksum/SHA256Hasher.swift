/// Incremental SHA-256: feed data in pieces of any size, then ``finalize()``.
///
/// Whole 64-byte blocks are compressed straight from the caller's buffer; only a partial
/// block is copied, so hashing a 500 MB file read in large chunks copies almost nothing.
public struct SHA256Hasher: Sendable {
    private var state = SHA256Block.initialState
    /// The bytes of an incomplete block, waiting for more input (always fewer than 64).
    private var pending: [UInt8] = []
    private var byteCount: UInt64 = 0

    public init() {
        pending.reserveCapacity(SHA256Block.byteCount)
    }

    /// Adds raw bytes.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        byteCount &+= UInt64(bytes.count)
        var rest = bytes

        if !pending.isEmpty {
            let take = min(SHA256Block.byteCount - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            guard pending.count == SHA256Block.byteCount else { return }
            pending.withUnsafeBytes { SHA256Block.compress(&state, blocks: $0) }
            pending.removeAll(keepingCapacity: true)
        }

        let wholeBlocks = rest.count / SHA256Block.byteCount * SHA256Block.byteCount
        if wholeBlocks > 0 {
            SHA256Block.compress(&state, blocks: UnsafeRawBufferPointer(rebasing: rest.prefix(wholeBlocks)))
        }
        pending.append(contentsOf: rest.dropFirst(wholeBlocks))
    }

    /// Adds bytes from any sequence; contiguous collections (Array, Data, UTF8View, …)
    /// take the fast path without copying.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(bytes: UnsafeRawBufferPointer(buffer))
        }
        if done != nil { return }
        // Non-contiguous input: hash it in chunks so memory stays bounded.
        var chunk: [UInt8] = []
        chunk.reserveCapacity(4096)
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == 4096 {
                chunk.withUnsafeBytes { update(bytes: $0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.withUnsafeBytes { update(bytes: $0) }
    }

    /// The 32-byte digest of everything added so far. The hasher itself is unchanged, so
    /// more data may still be added (the digest is of a padded copy).
    public func finalize() -> [UInt8] {
        var state = self.state
        // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
        var tail = pending
        tail.append(0x80)
        let zeros = (SHA256Block.byteCount * 2 - 8 - tail.count) % SHA256Block.byteCount
        tail.append(contentsOf: repeatElement(0, count: zeros))
        let bitCount = byteCount &* 8
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitCount >> UInt64(shift)))
        }
        tail.withUnsafeBytes { SHA256Block.compress(&state, blocks: $0) }

        var digest: [UInt8] = []
        digest.reserveCapacity(SHA256.digestByteCount)
        for word in state {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// ``finalize()`` as lowercase hex.
    public func finalizeHex() -> String {
        SHA256.hexEncoded(finalize())
    }
}
