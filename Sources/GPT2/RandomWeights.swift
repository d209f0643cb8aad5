import Foundation

extension GPT2Weights {
    /// A randomly initialised GPT-2 as transformers initialises one: normal(0, 0.02) weights,
    /// residual projections (`c_proj`) scaled by 1/√(2·layers), zero biases, unit LayerNorms.
    /// For when no pretrained weights are available, and for benchmarks of the real shapes.
    public static func random(config: GPT2Config, seed: UInt64) throws -> GPT2Weights {
        try config.validate()
        var rng = SeededRandom(seed: seed)
        let c = config.channels
        func normal(_ shape: [Int], std: Float) -> Tensor {
            let t = Tensor(zeros: shape)
            var i = 0
            while i < t.count {
                let (a, b) = rng.nextNormalPair()
                t.pointer[i] = a * std
                if i + 1 < t.count { t.pointer[i + 1] = b * std }
                i += 2
            }
            return t
        }
        func constant(_ shape: [Int], _ value: Float) -> Tensor {
            let t = Tensor(zeros: shape)
            t.pointer.update(repeating: value, count: t.count)
            return t
        }
        let projStd = 0.02 / Float(2 * config.layers).squareRoot()
        let wte = normal([config.vocabSize, c], std: 0.02)
        let wpe = normal([config.contextLength, c], std: 0.01)
        var blocks = [BlockWeights]()
        for _ in 0..<config.layers {
            blocks.append(BlockWeights(tensors: [
                constant([c], 1), constant([c], 0),
                normal([c, 3 * c], std: 0.02), constant([3 * c], 0),
                normal([c, c], std: projStd), constant([c], 0),
                constant([c], 1), constant([c], 0),
                normal([c, 4 * c], std: 0.02), constant([4 * c], 0),
                normal([4 * c, c], std: projStd), constant([c], 0),
            ]))
        }
        return GPT2Weights(config: config, wte: wte, wpe: wpe, blocks: blocks, lnfW: constant([c], 1), lnfB: constant([c], 0))
    }

    /// Writes a Hugging Face style model directory: `model.safetensors` and `config.json`
    /// (tokenizer files are the caller's to add).
    public func write(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensorsWriter.write(namedTensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        var json = (try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]) ?? [:]
        json["model_type"] = "gpt2"
        json["activation_function"] = "gelu_new"
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: directory.appendingPathComponent("config.json"))
    }
}
