import Foundation

/// GPT-2's byte-level BPE tokenizer (also `r50k_base`): text to token ids and back.
///
/// Named `BPETokenizer`, not `GPT2Tokenizer`, because a type named like its module makes
/// `GPT2Tokenizer.GPT2Tokenizer` ambiguous for callers.
///
/// `encode` never produces special tokens: `<|endoftext|>` typed by a user is just text.
/// Safe to share between tasks; encoded words are cached for all of them.
public final class BPETokenizer: Sendable {
    /// `<|endoftext|>`, which the classifier pads with.
    public static let endOfTextID: Int = 50256

    let vocabulary: Vocabulary
    let cache = WordCache()

    /// Loads `vocab.json` + `merges.txt` (Hugging Face) or `encoder.json` + `vocab.bpe` (OpenAI)
    /// from `directory`.
    public convenience init(directory: URL) throws(TokenizerFileError) {
        let files = try TokenizerFiles.locate(in: directory)
        try self.init(vocabulary: files.vocabulary, merges: files.merges)
    }

    public init(vocabulary: URL, merges: URL) throws(TokenizerFileError) {
        self.vocabulary = try Vocabulary(vocabularyFile: vocabulary, mergesFile: merges)
    }

    /// Number of tokens, including special ones (50257 for GPT-2).
    public var vocabularySize: Int { vocabulary.count }

    /// The token ids of `text`, exactly as OpenAI's encoder and tiktoken's `gpt2` give them.
    /// Never a special token, whatever the text says.
    public func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { encode(utf8: $0) }
    }

    /// The first `maxTokens` ids of `encode(text)` (or all, if fewer), without reading the text
    /// past the words they come from: a 1 MiB message costs what a context-length one does.
    ///
    /// Pre-tokenization runs left to right and a word's ids depend only on that word, so the ids
    /// are exactly the first ones of `encode(text)` -- with one bound: a single word (a run of
    /// letters, digits, punctuation or spaces) longer than `maxTokens` × 128 bytes, more than
    /// all the tokens asked for could cover, is cut there before its merges.
    public func encodePrefix(_ text: String, maxTokens: Int) -> [Int] {
        var text = text
        return text.withUTF8 { encode(utf8: $0, maxTokens: max(0, maxTokens)) }
    }

    /// Ids outside `0..<vocabularySize` are skipped.
    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        let offsets = vocabulary.tokenOffsets
        for id in ids where id >= 0 && id < vocabulary.count {
            bytes.append(contentsOf: vocabulary.tokenBytes[offsets[id]..<offsets[id + 1]])
        }
        return bytes
    }

    /// The decoded text; where ids split a character's UTF-8 bytes (possible when decoding a
    /// slice of a tokenization) the broken bytes become U+FFFD. Ids outside the vocabulary are
    /// skipped.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// Forgets every cached word; for measuring cold-cache speed.
    public func clearCache() {
        cache.removeAll()
    }

    private func encode(utf8: UnsafeBufferPointer<UInt8>, maxTokens: Int = .max) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(min(utf8.count / 3 + 1, maxTokens))
        let merger = vocabulary.merger
        // GPT-2's longest token is 128 bytes, so `maxTokens` tokens never cover more than this.
        let (longestPiece, overflow) = maxTokens.multipliedReportingOverflow(by: WordCache.maximumPieceLength)
        var pieces = PreTokenizer(utf8: utf8)
        while output.count < maxTokens, var range = pieces.next() {
            if !overflow && range.count > longestPiece {
                range = range.lowerBound..<(range.lowerBound + longestPiece)
            }
            let piece = UnsafeBufferPointer(rebasing: utf8[range])
            if piece.count == 1 {
                output.append(Int(merger.byteTokenIDs[Int(piece[0])]))
                continue
            }
            if piece.count > WordCache.maximumPieceLength {
                merger.encode(piece, into: &output)
                continue
            }
            let key = WordKey(piece)
            if let ids = cache.ids(for: key) {
                output.append(contentsOf: ids)
                continue
            }
            let start = output.count
            merger.encode(piece, into: &output)
            cache.store(Array(output[start...]), for: key)
        }
        if output.count > maxTokens { output.removeLast(output.count - maxTokens) }
        return output
    }
}
