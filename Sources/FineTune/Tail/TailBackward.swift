import GPT2

extension TailModel {
    /// Accumulates every parameter's gradient of `scale` · Σ cross-entropy over the batch that the
    /// last `forward(labels:targets:)` ran (scale = 1/B for the mean, divided again by accumulation steps).
    func backward(scale: Float) {
        let (n, p, c, k) = (batch.totalTokens, batch.count, config.channels, labelCount)
        dlogits.zero(p * k)
        labels.withUnsafeBufferPointer { l in
            withOptionalPointer(targets) { q in
                CrossEntropy.backward(dlogits: dlogits.pointer, probs: probs.pointer, labels: l.baseAddress!, targets: q, b: p, k: k,
                                      scale: scale)
            }
        }
        if trainable == .head {
            Linear.backward(dx: nil, dw: headGrad.w.pointer, db: headGrad.b.pointer, dout: dlogits.pointer, x: input.pointer,
                            w: headWeight.pointer, n: p, ic: c, oc: k)
            return
        }
        dlnf.zero(p * c)
        Linear.backward(dx: dlnf.pointer, dw: headGrad.w.pointer, db: headGrad.b.pointer, dout: dlogits.pointer, x: lnf.pointer,
                        w: headWeight.pointer, n: p, ic: c, oc: k)
        dout.zero(p * c)
        LayerNorm.backward(dx: dout.pointer, dw: lnfGrad!.w.pointer, db: lnfGrad!.b.pointer, dout: dlnf.pointer, x: last.out.pointer,
                           w: weights.lnfW.pointer, mean: lnfMean.pointer, rstd: lnfRstd.pointer, n: p, c: c)
        // The gradient of the residual stream is only needed when something below trains.
        let lowerTrains = firstBlock < config.layers - 1 || trainable.trainsEmbeddings
        if lowerTrains { dres.zero(n * c) }
        lastBlockBackward(dx: lowerTrains ? dres.pointer : nil)
        for (j, layer) in (firstBlock..<(config.layers - 1)).enumerated().reversed() {
            blockBackward(layer: layer, acts: blocks[j], inputGradient: layer > firstBlock || trainable.trainsEmbeddings)
        }
        if let embeddingGrad {
            batch.tokens.withUnsafeBufferPointer { tokens in
                batch.positions.withUnsafeBufferPointer { positions in
                    Encoder.backward(dwte: embeddingGrad.wte.pointer, dwpe: embeddingGrad.wpe.pointer, dout: dres.pointer,
                                     tokens: tokens.baseAddress!, positions: positions.baseAddress!, n: n, c: c)
                }
            }
        }
    }

    /// Backward of `PooledLastBlock.forward` (folded) from dout [B, C]; adds the input's gradient
    /// to dx [N, C] if given.
    private func lastBlockBackward(dx: UnsafeMutablePointer<Float>?) {
        let w = weights.blocks[config.layers - 1]
        let grad = blockGrads[config.layers - 1 - firstBlock]
        let a = last
        let (n, p, c, nh) = (batch.totalTokens, batch.count, config.channels, config.heads)
        // out = r1 + mlp(ln_2(r1))
        dr1.pointer.update(from: dout.pointer, count: p * c)
        mlpBackward(dr1.pointer, rows: p, weights: w, grad: grad, r: a.r1.pointer, saved: a.mlp)
        // r1 = x[pooled] + attnProj(atty)
        datty.zero(p * c)
        Matmul.backward(dx: datty.pointer, dw: grad.attnProjW.pointer, db: grad.attnProjB.pointer, dout: dr1.pointer, x: a.atty.pointer,
                        w: w.attnProjW.pointer, n: p, ic: c, oc: c)
        // K and V are folded into the queries (see PooledAttention): dln1 [N, C] and dq [B, C]
        // directly, plus the K and V columns of c_attn's gradient.
        precondition(a.folded, "backward needs a training forward (forward(labels:training: true))")
        dq.zero(p * c)
        dln.zero(n * c)
        PooledAttention.backward(dx: dln.pointer, dq: dq.pointer, dwk: grad.qkvW.pointer + c, dwv: grad.qkvW.pointer + 2 * c,
                                 dbv: grad.qkvB.pointer + 2 * c, dm: dm.pointer, dr: dr.pointer, datt: dattRows.pointer,
                                 dout: datty.pointer, r: a.r.pointer, m: a.m.pointer, att: a.attRows.pointer, x: a.ln1.pointer,
                                 q: a.q.pointer, wk: w.qkvW.pointer + c, wv: w.qkvW.pointer + 2 * c, ldw: 3 * c,
                                 starts: (0..<p).map(batch.start), lengths: (0..<p).map(batch.length), c: c, nh: nh)
        // q = ln1[pooled] · W[:, 0..<C]
        dlnPooled.zero(p * c)
        Matmul.backward(dx: dlnPooled.pointer, dw: grad.qkvW.pointer, db: grad.qkvB.pointer, dout: dq.pointer, x: a.lnPooled.pointer,
                        w: w.qkvW.pointer, n: p, ic: c, oc: c, ldw: 3 * c)
        for i in 0..<p {
            let row = dln.pointer + batch.pooledRow(i) * c
            let d = dlnPooled.pointer + i * c
            for j in 0..<c { row[j] += d[j] }
        }
        LayerNorm.backward(dx: dx, dw: grad.ln1W.pointer, db: grad.ln1B.pointer, dout: dln.pointer, x: a.input!, w: w.ln1W.pointer,
                           mean: a.mean1.pointer, rstd: a.rstd1.pointer, n: n, c: c)
        if let dx {
            for i in 0..<p {
                let row = dx + batch.pooledRow(i) * c
                let d = dr1.pointer + i * c
                for j in 0..<c { row[j] += d[j] }
            }
        }
    }

    /// Backward of `TransformerBlock.forward`: dres [N, C] holds the gradient of the block's output
    /// and leaves holding its input's (only computed through ln_1 when `inputGradient`).
    private func blockBackward(layer: Int, acts a: BlockActivations, inputGradient: Bool) {
        let w = weights.blocks[layer]
        let grad = blockGrads[layer - firstBlock]
        let (n, c, nh) = (batch.totalTokens, config.channels, config.heads)
        // out = r1 + mlp(ln_2(r1))
        mlpBackward(dres.pointer, rows: n, weights: w, grad: grad, r: a.r1.pointer, saved: a.mlp)
        // r1 = x + attnProj(attention(qkv(ln1(x))))
        datty.zero(n * c)
        Matmul.backward(dx: datty.pointer, dw: grad.attnProjW.pointer, db: grad.attnProjB.pointer, dout: dres.pointer, x: a.atty.pointer,
                        w: w.attnProjW.pointer, n: n, ic: c, oc: c)
        dqkv.zero(n * 3 * c)
        for i in 0..<batch.count {
            let s = batch.start(i)
            Attention.backward(dqkv: dqkv.pointer + s * 3 * c, datt: datt.pointer, dout: datty.pointer + s * c, ldout: c,
                               qkv: a.qkv.pointer + s * 3 * c, att: a.att.pointer + a.attOffsets[i], t: batch.length(i), c: c, nh: nh)
        }
        dln.zero(n * c)
        Matmul.backward(dx: dln.pointer, dw: grad.qkvW.pointer, db: grad.qkvB.pointer, dout: dqkv.pointer, x: a.ln1.pointer,
                        w: w.qkvW.pointer, n: n, ic: c, oc: 3 * c)
        LayerNorm.backward(dx: inputGradient ? dres.pointer : nil, dw: grad.ln1W.pointer, db: grad.ln1B.pointer, dout: dln.pointer,
                           x: a.input!, w: w.ln1W.pointer, mean: a.mean1.pointer, rstd: a.rstd1.pointer, n: n, c: c)
    }

    /// Backward of `ResidualMLP.forward` (out = r + c_proj(gelu(c_fc(ln_2(r))))) over `rows` rows:
    /// d [R, C] holds out's gradient and leaves holding r's (the residual passes it on, ln_2 adds
    /// its part). Scratch: dfch [R, 4C], dln [R, C].
    private func mlpBackward(_ d: UnsafeMutablePointer<Float>, rows: Int, weights w: BlockWeights, grad: BlockWeights,
                             r: UnsafePointer<Float>, saved s: MLPActivations) {
        let c = config.channels
        dfch.zero(rows * 4 * c)
        Matmul.backward(dx: dfch.pointer, dw: grad.fcProjW.pointer, db: grad.fcProjB.pointer, dout: d, x: s.fchGelu.pointer,
                        w: w.fcProjW.pointer, n: rows, ic: 4 * c, oc: c)
        GELU.backward(dx: dfch.pointer, x: s.fch.pointer, dout: dfch.pointer, count: rows * 4 * c)
        dln.zero(rows * c)
        Matmul.backward(dx: dln.pointer, dw: grad.fcW.pointer, db: grad.fcB.pointer, dout: dfch.pointer, x: s.ln2.pointer,
                        w: w.fcW.pointer, n: rows, ic: c, oc: 4 * c)
        LayerNorm.backward(dx: d, dw: grad.ln2W.pointer, db: grad.ln2B.pointer, dout: dln.pointer, x: r,
                           w: w.ln2W.pointer, mean: s.mean2.pointer, rstd: s.rstd2.pointer, n: rows, c: c)
    }
}
