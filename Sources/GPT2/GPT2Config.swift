import Foundation

/// The shape of a GPT-2 model. Names follow llm.c; the Hugging Face names are in `CodingKeys`.
public struct GPT2Config: Sendable, Equatable, Codable {
    public var vocabSize: Int
    /// Maximum sequence length (learned positions), `n_positions`.
    public var contextLength: Int
    /// Width of the residual stream, `n_embd`.
    public var channels: Int
    public var layers: Int
    public var heads: Int
    public var layerNormEpsilon: Float

    public init(vocabSize: Int = 50257, contextLength: Int = 1024, channels: Int, layers: Int, heads: Int,
                layerNormEpsilon: Float = 1e-5) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.channels = channels
        self.layers = layers
        self.heads = heads
        self.layerNormEpsilon = layerNormEpsilon
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size"
        case contextLength = "n_positions"
        case channels = "n_embd"
        case layers = "n_layer"
        case heads = "n_head"
        case layerNormEpsilon = "layer_norm_epsilon"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        contextLength = try c.decode(Int.self, forKey: .contextLength)
        channels = try c.decode(Int.self, forKey: .channels)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5
    }

    public static let gpt2 = GPT2Config(channels: 768, layers: 12, heads: 12)
    public static let gpt2Medium = GPT2Config(channels: 1024, layers: 24, heads: 16)
    public static let gpt2Large = GPT2Config(channels: 1280, layers: 36, heads: 20)
    public static let gpt2XL = GPT2Config(channels: 1600, layers: 48, heads: 25)

    /// The published shapes by their Hugging Face names.
    public static let named: [String: GPT2Config] = [
        "gpt2": .gpt2, "gpt2-medium": .gpt2Medium, "gpt2-large": .gpt2Large, "gpt2-xl": .gpt2XL,
    ]

    public var headSize: Int { channels / heads }

    /// Parameters of the transformer (embeddings, blocks, final LayerNorm), without a head.
    public var parameterCount: Int {
        let c = channels
        let block = 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + 2 * c + (c * 4 * c + 4 * c) + (4 * c * c + c)
        return vocabSize * c + contextLength * c + layers * block + 2 * c
    }

    /// Checks that the shape is usable; the error names the offending key.
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ why: String) throws {
            if !ok { throw GPT2Error.invalidConfig(key: key, reason: why) }
        }
        try check(vocabSize > 0, "vocab_size", "must be positive, got \(vocabSize)")
        try check(contextLength > 0, "n_positions", "must be positive, got \(contextLength)")
        try check(channels > 0, "n_embd", "must be positive, got \(channels)")
        try check(layers > 0, "n_layer", "must be positive, got \(layers)")
        try check(heads > 0 && channels % heads == 0, "n_head", "must divide n_embd (\(channels)), got \(heads)")
        try check(layerNormEpsilon > 0 && layerNormEpsilon.isFinite, "layer_norm_epsilon", "must be positive, got \(layerNormEpsilon)")
    }

    /// Reads a Hugging Face `config.json`.
    public init(huggingFaceConfigAt url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GPT2Error.fileUnreadable(path: url.path, reason: error.localizedDescription)
        }
        do {
            self = try JSONDecoder().decode(GPT2Config.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw GPT2Error.invalidConfig(key: key.stringValue, reason: "missing in \(url.path)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw GPT2Error.invalidConfig(key: context.codingPath.map(\.stringValue).joined(separator: "."),
                                          reason: "wrong type in \(url.path)")
        } catch {
            throw GPT2Error.invalidConfig(key: "(file)", reason: "\(url.path) is not valid JSON")
        }
        try validate()
    }
}
