import GPT2

extension TailModel {
    /// Runs the tail on the batch set with `setBatch` (its input already filled, except for `all`).
    /// Leaves logits [B, K] and, with labels, probs [B, K]; returns the mean cross-entropy against
    /// `targets` [B, K] when given (soft targets: distillation), else against the labels.
    ///
    /// `training` takes the folded attention in the last block (`PooledAttention`: the same
    /// function, far fewer flops, for a step's forward and backward); otherwise the blocks run
    /// exactly as in inference, so evaluation logits equal `Classifier`'s bit for bit when the
    /// sequences are batched the same way (OpenBLAS rounds a row by its place in a batch).
    @discardableResult
    func forward(labels: [Int32]?, targets: [Float]? = nil, training: Bool = false) -> Float {
        let (p, c, k, eps) = (batch.count, config.channels, labelCount, config.layerNormEpsilon)
        if trainable == .head {
            Linear.forward(out: logits.pointer, x: input.pointer, w: headWeight.pointer, b: headBias.pointer, n: p, ic: c, oc: k)
        } else {
            if trainable.trainsEmbeddings { embed() }
            var x = UnsafePointer(input.pointer)
            for (j, layer) in (firstBlock..<(config.layers - 1)).enumerated() {
                TransformerBlock.forward(x: x, weights: weights.blocks[layer], batch: batch, config: config, saving: blocks[j])
                x = UnsafePointer(blocks[j].out.pointer)
            }
            PooledLastBlock.forward(x: x, weights: weights.blocks[config.layers - 1], batch: batch, config: config, folded: training,
                                    saving: last)
            LayerNorm.forward(out: lnf.pointer, mean: lnfMean.pointer, rstd: lnfRstd.pointer, x: last.out.pointer,
                              w: weights.lnfW.pointer, b: weights.lnfB.pointer, n: p, c: c, eps: eps)
            Linear.forward(out: logits.pointer, x: lnf.pointer, w: headWeight.pointer, b: headBias.pointer, n: p, ic: c, oc: k)
        }
        guard let labels else { return 0 }
        precondition(labels.count == p)
        precondition(targets == nil || targets!.count == p * k)
        self.labels = labels
        self.targets = targets
        return labels.withUnsafeBufferPointer { l in
            withOptionalPointer(targets) { q in
                CrossEntropy.forward(probs: probs.pointer, logits: logits.pointer, labels: l.baseAddress!, targets: q, b: p, k: k)
            }
        }
    }

    private func embed() {
        batch.tokens.withUnsafeBufferPointer { tokens in
            batch.positions.withUnsafeBufferPointer { positions in
                Encoder.forward(out: input.pointer, tokens: tokens.baseAddress!, positions: positions.baseAddress!,
                                n: batch.totalTokens, wte: weights.wte.pointer, wpe: weights.wpe.pointer, c: config.channels)
            }
        }
    }

    /// logits[i] for the current batch.
    func logitsRow(_ i: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: logits.pointer + i * labelCount, count: labelCount))
    }
}
