import Foundation

/// The checked, id-based form of a vocabulary file and a merges file: each token's bytes (for
/// decoding), each byte's token, and the merge rules as pairs of ids (for encoding).
struct Vocabulary: Sendable {
    /// All tokens' bytes back to back, in id order; token `i` is
    /// `tokenBytes[tokenOffsets[i]..<tokenOffsets[i + 1]]`.
    let tokenBytes: [UInt8]
    let tokenOffsets: [Int]
    let merger: BytePairMerger

    var count: Int { tokenOffsets.count - 1 }

    init(vocabularyFile: URL, mergesFile: URL) throws(TokenizerFileError) {
        let vocabularyParser = VocabularyJSONParser(bytes: try readTokenizerFile(vocabularyFile), url: vocabularyFile)
        let entries = try vocabularyParser.parse()
        let merges = try MergesFileParser(bytes: try readTokenizerFile(mergesFile), url: mergesFile).parse()
        try self.init(entries: entries, merges: merges, vocabularyFile: vocabularyFile, mergesFile: mergesFile)
    }

    init(entries: [VocabularyJSONParser.Entry], merges: [MergesFileParser.Merge],
         vocabularyFile: URL, mergesFile: URL) throws(TokenizerFileError) {
        let (entriesByID, idByBytes) = try Self.index(entries, vocabularyFile: vocabularyFile)

        var tokenBytes: [UInt8] = []
        var tokenOffsets = [0]
        for entry in entriesByID {
            tokenBytes.append(contentsOf: entry.bytes)
            tokenOffsets.append(tokenBytes.count)
        }

        var byteTokenIDs = [UInt32](repeating: 0, count: 256)
        for byte in 0..<256 {
            guard let id = idByBytes[ByteString([UInt8(byte)])] else {
                throw .malformed(vocabularyFile, line: nil, detail: "no token for byte 0x\(String(byte, radix: 16, uppercase: true)) "
                    + "(\"\(ByteUnicodeMap.spelling(of: [UInt8(byte)]))\"); every byte needs one")
            }
            byteTokenIDs[byte] = id
        }

        var isProduced = [Bool](repeating: false, count: entries.count)
        for id in byteTokenIDs { isProduced[Int(id)] = true }
        let table = try Self.mergeTable(merges, idByBytes: idByBytes, isProduced: &isProduced,
                                        vocabularyFile: vocabularyFile, mergesFile: mergesFile)
        try Self.checkEveryTokenIsReachable(
            entriesByID: entriesByID, isProduced: isProduced, vocabularyFile: vocabularyFile, mergesFile: mergesFile)

        self.tokenBytes = tokenBytes
        self.tokenOffsets = tokenOffsets
        self.merger = BytePairMerger(byteTokenIDs: byteTokenIDs, merges: table)
    }

    /// The entries in id order, and each token's id. Ids must be exactly 0..<count so that
    /// decoding is a table lookup.
    private static func index(_ entries: [VocabularyJSONParser.Entry], vocabularyFile: URL)
        throws(TokenizerFileError) -> ([VocabularyJSONParser.Entry], [ByteString: UInt32])
    {
        func malformed(_ detail: String) -> TokenizerFileError { .malformed(vocabularyFile, line: nil, detail: detail) }
        var entryIndexByID = [Int?](repeating: nil, count: entries.count)
        var idByBytes = [ByteString: UInt32](minimumCapacity: entries.count)
        for (index, entry) in entries.enumerated() {
            guard entry.id < entries.count else {
                throw malformed("id \(entry.id) of \"\(entry.spelling)\" is out of range: "
                    + "\(entries.count) tokens must have the ids 0..<\(entries.count)")
            }
            if let other = entryIndexByID[entry.id] {
                throw malformed("id \(entry.id) is given to both \"\(entries[other].spelling)\" and \"\(entry.spelling)\"")
            }
            entryIndexByID[entry.id] = index
            if idByBytes.updateValue(UInt32(entry.id), forKey: ByteString(entry.bytes)) != nil {
                throw malformed("token \"\(entry.spelling)\" appears more than once")
            }
        }
        // `count` distinct ids, all below `count`: every slot is filled.
        return (entryIndexByID.map { entries[$0!] }, idByBytes)
    }

    /// The merge rules as id pairs, ranked by line order; marks the tokens they make.
    private static func mergeTable(
        _ merges: [MergesFileParser.Merge], idByBytes: [ByteString: UInt32], isProduced: inout [Bool],
        vocabularyFile: URL, mergesFile: URL
    ) throws(TokenizerFileError) -> PairMergeTable {
        var table = PairMergeTable(minimumCapacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            func inconsistent(_ detail: String) -> TokenizerFileError {
                .inconsistent(vocabulary: vocabularyFile, merges: mergesFile,
                              detail: "line \(merge.line) of the merges file: merge \(merge.spelling) \(detail)")
            }
            guard let left = idByBytes[ByteString(merge.left)] else {
                throw inconsistent("joins \"\(ByteUnicodeMap.spelling(of: merge.left))\", which is not in the vocabulary")
            }
            guard let right = idByBytes[ByteString(merge.right)] else {
                throw inconsistent("joins \"\(ByteUnicodeMap.spelling(of: merge.right))\", which is not in the vocabulary")
            }
            let joined = merge.left + merge.right
            guard let result = idByBytes[ByteString(joined)] else {
                throw inconsistent("makes \"\(ByteUnicodeMap.spelling(of: joined))\", which is not in the vocabulary")
            }
            guard table.insert(left: left, right: right, rank: UInt32(rank), result: result) else {
                throw .malformed(mergesFile, line: merge.line, detail: "merge \(merge.spelling) appears more than once")
            }
            isProduced[Int(result)] = true
        }
        return table
    }

    /// Every token except the special ones (`<|endoftext|>`) must be a byte or made by a merge.
    /// A merges file cut off at a line boundary parses cleanly; this is what catches it.
    private static func checkEveryTokenIsReachable(
        entriesByID: [VocabularyJSONParser.Entry], isProduced: [Bool], vocabularyFile: URL, mergesFile: URL
    ) throws(TokenizerFileError) {
        let unreachable = entriesByID.indices.filter { !isProduced[$0] && !isSpecialToken(entriesByID[$0].bytes) }
        guard let firstUnreachable = unreachable.first else { return }
        let detail = "\(unreachable.count) tokens of the vocabulary (e.g. id \(firstUnreachable), "
            + "\"\(entriesByID[firstUnreachable].spelling)\") are made by no merge"
        // Trained BPE files give merge k the token id 256 + k; when only the highest ids are
        // missing, the merges file stops early rather than belonging to another vocabulary.
        if let highestProduced = isProduced.lastIndex(of: true), firstUnreachable > highestProduced {
            throw .truncated(mergesFile, detail: "it ends before the merges that make \(detail)")
        }
        throw .inconsistent(vocabulary: vocabularyFile, merges: mergesFile, detail: detail)
    }

    /// `<|…|>`: control tokens that no merge makes and no text encodes to.
    static func isSpecialToken(_ bytes: [UInt8]) -> Bool {
        bytes.count > 4 && bytes.starts(with: Array("<|".utf8)) && bytes.reversed().starts(with: Array(">|".utf8))
    }
}

/// Token bytes as a dictionary key, hashed in one call rather than byte by byte as `[UInt8]`
/// is, which matters for the 150,000 lookups of loading.
private struct ByteString: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
