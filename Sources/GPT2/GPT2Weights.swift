import Foundation

/// One transformer block's parameters, Hugging Face names in comments. Conv1D weights are `[in, out]`.
/// Training holds its gradients in the same shape (llm.c's `ParameterTensors` for both `params`
/// and `grads`), so each backward line names the gradient of the weight its forward line used.
public struct BlockWeights: @unchecked Sendable {
    public var ln1W, ln1B: Tensor            // ln_1.weight/bias            [C]
    public var qkvW, qkvB: Tensor            // attn.c_attn.weight/bias     [C, 3C], [3C]
    public var attnProjW, attnProjB: Tensor  // attn.c_proj.weight/bias     [C, C], [C]
    public var ln2W, ln2B: Tensor            // ln_2.weight/bias            [C]
    public var fcW, fcB: Tensor              // mlp.c_fc.weight/bias        [C, 4C], [4C]
    public var fcProjW, fcProjB: Tensor      // mlp.c_proj.weight/bias      [4C, C], [C]
    /// The four weights packed for a reduced precision, when this block is frozen and served
    /// in one; serving then uses these instead of the fp32 tensors above.
    public var packed: PackedBlock?

    /// Suffixes after `h.N.`, in the order the fields above are declared.
    public static let names = [
        "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias",
        "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias",
    ]

    public static func shapes(_ c: Int) -> [[Int]] {
        [[c], [c], [c, 3 * c], [3 * c], [c, c], [c], [c], [c], [c, 4 * c], [4 * c], [4 * c, c], [c]]
    }

    public var tensors: [Tensor] {
        get { [ln1W, ln1B, qkvW, qkvB, attnProjW, attnProjB, ln2W, ln2B, fcW, fcB, fcProjW, fcProjB] }
        set {
            precondition(newValue.count == 12)
            (ln1W, ln1B, qkvW, qkvB, attnProjW, attnProjB) = (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4], newValue[5])
            (ln2W, ln2B, fcW, fcB, fcProjW, fcProjB) = (newValue[6], newValue[7], newValue[8], newValue[9], newValue[10], newValue[11])
        }
    }

    /// Twelve tensors in the order of `names`.
    public init(tensors t: [Tensor]) {
        precondition(t.count == 12)
        (ln1W, ln1B, qkvW, qkvB, attnProjW, attnProjB) = (t[0], t[1], t[2], t[3], t[4], t[5])
        (ln2W, ln2B, fcW, fcB, fcProjW, fcProjB) = (t[6], t[7], t[8], t[9], t[10], t[11])
    }
}

/// All parameters of a GPT-2 transformer (no vocabulary head: Sift replaces it with a classifier).
public struct GPT2Weights: @unchecked Sendable {
    public let config: GPT2Config
    public var wte: Tensor     // [V, C]
    public var wpe: Tensor     // [maxT, C]
    public var blocks: [BlockWeights]
    public var lnfW, lnfB: Tensor  // [C]

    public init(config: GPT2Config, wte: Tensor, wpe: Tensor, blocks: [BlockWeights], lnfW: Tensor, lnfB: Tensor) {
        self.config = config
        self.wte = wte
        self.wpe = wpe
        self.blocks = blocks
        self.lnfW = lnfW
        self.lnfB = lnfB
    }

    /// Every tensor with its official name, in file order (embeddings, blocks, final LayerNorm).
    public var namedTensors: [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = [("wte.weight", wte), ("wpe.weight", wpe)]
        for (i, block) in blocks.enumerated() {
            for (suffix, t) in zip(BlockWeights.names, block.tensors) { out.append(("h.\(i).\(suffix)", t)) }
        }
        out.append(("ln_f.weight", lnfW))
        out.append(("ln_f.bias", lnfB))
        return out
    }

    /// Loads a Hugging Face model directory: `model.safetensors` and `config.json`.
    public static func load(directory: URL) throws -> GPT2Weights {
        let configURL = directory.appendingPathComponent("config.json")
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw GPT2Error.fileUnreadable(path: weightsURL.path, reason: "no such file (a model directory needs model.safetensors and config.json)")
        }
        let config = try GPT2Config(huggingFaceConfigAt: configURL)
        return try load(file: SafeTensorsFile(url: weightsURL), config: config)
    }

    /// Reads the tensors of `config`'s shape, with or without a `transformer.` prefix.
    /// Mask buffers (`h.N.attn.bias`, `h.N.attn.masked_bias`) and any `lm_head` are ignored.
    public static func load(file: SafeTensorsFile, config: GPT2Config) throws -> GPT2Weights {
        try config.validate()
        let prefix = file.entry("wte.weight") == nil && file.entry("transformer.wte.weight") != nil ? "transformer." : ""
        let c = config.channels
        func read(_ name: String, _ shape: [Int]) throws -> Tensor {
            let t = try file.tensor(prefix + name)
            guard t.shape == shape else { throw GPT2Error.wrongShape(name: prefix + name, expected: shape, got: t.shape) }
            return t
        }
        let wte = try read("wte.weight", [config.vocabSize, c])
        let wpe = try read("wpe.weight", [config.contextLength, c])
        var blocks = [BlockWeights]()
        for layer in 0..<config.layers {
            let tensors = try zip(BlockWeights.names, BlockWeights.shapes(c)).map { suffix, shape in
                try read("h.\(layer).\(suffix)", shape)
            }
            blocks.append(BlockWeights(tensors: tensors))
        }
        return GPT2Weights(config: config, wte: wte, wpe: wpe, blocks: blocks,
                           lnfW: try read("ln_f.weight", [c]), lnfB: try read("ln_f.bias", [c]))
    }

    /// Replaces the tensors that `file` holds under their official names (trained blocks, `ln_f`,
    /// and the embeddings when everything trained);
    /// returns how many were replaced. Shapes must match.
    public mutating func override(from file: SafeTensorsFile) throws -> Int {
        var replaced = 0
        let c = config.channels
        for layer in 0..<config.layers {
            var tensors = blocks[layer].tensors
            for (i, (suffix, shape)) in zip(BlockWeights.names, BlockWeights.shapes(c)).enumerated() {
                let name = "h.\(layer).\(suffix)"
                guard file.entry(name) != nil else { continue }
                let t = try file.tensor(name)
                guard t.shape == shape else { throw GPT2Error.wrongShape(name: name, expected: shape, got: t.shape) }
                tensors[i] = t
                replaced += 1
            }
            blocks[layer].tensors = tensors
        }
        for (name, keyPath) in [("ln_f.weight", \GPT2Weights.lnfW), ("ln_f.bias", \GPT2Weights.lnfB)] {
            guard file.entry(name) != nil else { continue }
            let t = try file.tensor(name)
            guard t.shape == [c] else { throw GPT2Error.wrongShape(name: name, expected: [c], got: t.shape) }
            self[keyPath: keyPath] = t
            replaced += 1
        }
        // Embeddings, from a checkpoint that trained everything (`--trainable all`).
        for (name, keyPath, shape) in [("wte.weight", \GPT2Weights.wte, [config.vocabSize, c]),
                                       ("wpe.weight", \GPT2Weights.wpe, [config.contextLength, c])] {
            guard file.entry(name) != nil else { continue }
            let t = try file.tensor(name)
            guard t.shape == shape else { throw GPT2Error.wrongShape(name: name, expected: shape, got: t.shape) }
            self[keyPath: keyPath] = t
            replaced += 1
        }
        return replaced
    }
}
