import GPT2

extension TailModel {
    /// Runs the tail on the batch set with `setBatch` (its input already filled, except for `all`).
    /// Leaves logits [B, K] and, with labels, probs [B, K]; returns the mean cross-entropy against
    /// `targets` [B, K] when given (soft targets: distillation), else against the labels.
    ///
    /// `training` takes the folded attention in the last block (`PooledAttention`: the same
    /// function, far fewer flops, for a step's forward and backward); otherwise the kernel
    /// calls are inference's, so evaluation logits equal `Classifier`'s bit for bit when the
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
                blockForward(layer: layer, acts: blocks[j], x: x)
                x = UnsafePointer(blocks[j].out.pointer)
            }
            lastBlockForward(x: x, folded: training)
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

    /// A whole block on every row, saving what backward needs (GPT2Model.blockForward's steps).
    private func blockForward(layer: Int, acts a: BlockActivations, x: UnsafePointer<Float>) {
        let w = weights.blocks[layer]
        let (n, c, nh, eps) = (batch.totalTokens, config.channels, config.heads, config.layerNormEpsilon)
        a.input = x
        LayerNorm.forward(out: a.ln1.pointer, mean: a.mean1.pointer, rstd: a.rstd1.pointer, x: x, w: w.ln1W.pointer, b: w.ln1B.pointer,
                          n: n, c: c, eps: eps)
        Matmul.forward(out: a.qkv.pointer, x: a.ln1.pointer, w: w.qkvW.pointer, b: w.qkvB.pointer, n: n, ic: c, oc: 3 * c)
        a.attOffsets.removeAll(keepingCapacity: true)
        var offset = 0
        for i in 0..<batch.count {
            let (s, t) = (batch.start(i), batch.length(i))
            a.attOffsets.append(offset)
            Attention.forward(out: a.atty.pointer + s * c, ldout: c, att: a.att.pointer + offset, qkv: a.qkv.pointer + s * 3 * c,
                              t: t, c: c, nh: nh)
            offset += nh * t * t
        }
        a.r1.pointer.update(from: x, count: n * c)
        Matmul.forward(out: a.r1.pointer, x: a.atty.pointer, w: w.attnProjW.pointer, b: w.attnProjB.pointer, n: n, ic: c, oc: c, accumulate: true)
        LayerNorm.forward(out: a.ln2.pointer, mean: a.mean2.pointer, rstd: a.rstd2.pointer, x: a.r1.pointer, w: w.ln2W.pointer,
                          b: w.ln2B.pointer, n: n, c: c, eps: eps)
        Matmul.forward(out: a.fch.pointer, x: a.ln2.pointer, w: w.fcW.pointer, b: w.fcB.pointer, n: n, ic: c, oc: 4 * c)
        GELU.forward(out: a.fchGelu.pointer, x: a.fch.pointer, count: n * 4 * c)
        a.out.pointer.update(from: a.r1.pointer, count: n * c)
        Matmul.forward(out: a.out.pointer, x: a.fchGelu.pointer, w: w.fcProjW.pointer, b: w.fcProjB.pointer, n: n, ic: 4 * c, oc: c,
                       accumulate: true)
    }

    /// The last block for the pooled rows (GPT2Model.lastBlockForwardPooled's steps): the pooled
    /// row is each sequence's last, so only it needs Q, the attention output, c_proj, ln_2 and
    /// the MLP; every row needs ln_1 and K,V. last.out [B, C].
    private func lastBlockForward(x: UnsafePointer<Float>, folded: Bool) {
        let w = weights.blocks[config.layers - 1]
        let a = last
        let (n, p, c, nh, eps) = (batch.totalTokens, batch.count, config.channels, config.heads, config.layerNormEpsilon)
        a.input = x
        a.folded = folded
        LayerNorm.forward(out: a.ln1.pointer, mean: a.mean1.pointer, rstd: a.rstd1.pointer, x: x, w: w.ln1W.pointer, b: w.ln1B.pointer,
                          n: n, c: c, eps: eps)
        if !folded {
            Matmul.forward(out: a.kv.pointer, x: a.ln1.pointer, w: w.qkvW.pointer + c, b: w.qkvB.pointer + c, n: n, ic: c, oc: 2 * c, ldw: 3 * c)
        }
        let pooled = (0..<p).map(batch.pooledRow)
        Residual.gather(dst: a.lnPooled.pointer, src: a.ln1.pointer, rows: pooled, c: c)
        Matmul.forward(out: a.q.pointer, x: a.lnPooled.pointer, w: w.qkvW.pointer, b: w.qkvB.pointer, n: p, ic: c, oc: c, ldw: 3 * c)
        if folded {
            PooledAttention.forward(out: a.atty.pointer, r: a.r.pointer, m: a.m.pointer, att: a.attRows.pointer, x: a.ln1.pointer,
                                    q: a.q.pointer, wk: w.qkvW.pointer + c, wv: w.qkvW.pointer + 2 * c, bv: w.qkvB.pointer + 2 * c,
                                    ldw: 3 * c, starts: (0..<p).map(batch.start), lengths: (0..<p).map(batch.length), c: c, nh: nh)
        } else {
            a.attOffsets.removeAll(keepingCapacity: true)
            var offset = 0
            for i in 0..<p {
                let t = batch.length(i)
                a.attOffsets.append(offset)
                Attention.forwardLastQuery(out: a.atty.pointer + i * c, att: a.att.pointer + offset, q: a.q.pointer + i * c,
                                           kv: a.kv.pointer + batch.start(i) * 2 * c, ldkv: 2 * c, t: t, c: c, nh: nh)
                offset += nh * t
            }
        }
        Residual.gather(dst: a.r1.pointer, src: x, rows: pooled, c: c)
        Matmul.forward(out: a.r1.pointer, x: a.atty.pointer, w: w.attnProjW.pointer, b: w.attnProjB.pointer, n: p, ic: c, oc: c, accumulate: true)
        LayerNorm.forward(out: a.ln2.pointer, mean: a.mean2.pointer, rstd: a.rstd2.pointer, x: a.r1.pointer, w: w.ln2W.pointer,
                          b: w.ln2B.pointer, n: p, c: c, eps: eps)
        Matmul.forward(out: a.fch.pointer, x: a.ln2.pointer, w: w.fcW.pointer, b: w.fcB.pointer, n: p, ic: c, oc: 4 * c)
        GELU.forward(out: a.fchGelu.pointer, x: a.fch.pointer, count: p * 4 * c)
        a.out.pointer.update(from: a.r1.pointer, count: p * c)
        Matmul.forward(out: a.out.pointer, x: a.fchGelu.pointer, w: w.fcProjW.pointer, b: w.fcProjB.pointer, n: p, ic: 4 * c, oc: c,
                       accumulate: true)
    }

    /// logits[i] for the current batch.
    func logitsRow(_ i: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: logits.pointer + i * labelCount, count: labelCount))
    }
}
