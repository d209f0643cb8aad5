/// Refusing models that would answer NaN: a weight that is NaN or infinite (a diverged run, a
/// corrupted file) makes some or all predictions meaningless, and a meaningless prediction
/// cannot even be stored. Checked at load, reload and checkpoint write, not per request.
public enum FiniteWeights {
    /// The name of the first tensor holding a non-finite value, or nil.
    public static func firstNonFinite(_ tensors: [(name: String, tensor: Tensor)]) -> String? {
        tensors.first { !isFinite($0.tensor) }?.name
    }

    static func isFinite(_ tensor: Tensor) -> Bool {
        // x * 0 is 0 for every finite x and NaN for NaN and ±inf: one vectorizable pass.
        var sum: Float = 0
        for i in 0..<tensor.count { sum += tensor.pointer[i] * 0 }
        return sum == 0
    }
}

extension Classifier {
    /// Throws unless every weight is finite and a probe text's logits are too.
    public func checkFinite(source: String) throws {
        var tensors = model.weights.namedTensors
        tensors.append(("score.weight", head.weight))
        tensors.append(("score.bias", head.bias))
        if let name = FiniteWeights.firstNonFinite(tensors) {
            throw GPT2Error.invalidInput("\(source): tensor \(name) holds NaN or infinite values; refusing to serve it")
        }
        // Reading them brought the packed blocks' fp32 pages back; serving reads the packed copies.
        for block in model.weights.blocks where block.packed != nil {
            for t in [block.qkvW, block.attnProjW, block.fcW, block.fcProjW] { t.releaseResidentPages() }
        }
        let probe = classify(tokenIDs: [[15496, 11, 995, 13]].map { $0.map { min($0, model.config.vocabSize - 1) } })
        guard let first = probe.first, first.logits.allSatisfy(\.isFinite) else {
            throw GPT2Error.invalidInput("\(source): the model's outputs are NaN or infinite; refusing to serve it")
        }
    }
}
