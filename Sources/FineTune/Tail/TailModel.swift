import GPT2

/// The trainable part of the network, from the frozen prefix's output to the logits, with its
/// parameters, gradients and saved activations.
///
/// - `head`: input is each sequence's pooled hidden state after `ln_f` [B, C]; only `score` runs.
/// - `last-N-blocks`: input is the residual stream after the frozen blocks, every row [N, C];
///   blocks run on all rows except the last, which computes what the pooled rows need (see
///   `PooledLastBlock`), then `ln_f` and `score` on the pooled rows.
/// - `all`: input is built from the token and position embeddings, which train too.
///
/// The blocks' forward is serving's own (`TransformerBlock`, `PooledLastBlock`), told to keep its
/// activations, so evaluation's logits equal inference's bit for bit (for the same batch layout);
/// a training step's forward folds K and V into the pooled queries instead (`PooledAttention`),
/// the same function in far fewer flops.
final class TailModel {
    let config: GPT2Config
    let trainable: TrainableSet
    /// Blocks below this are frozen and cached; `config.layers` in head mode.
    let firstBlock: Int
    /// Frozen base tensors, with every trainable one replaced by its parameter's (owned) value.
    private(set) var weights: GPT2Weights
    let headWeight: Tensor  // [K, C]
    let headBias: Tensor    // [K]
    let labelCount: Int
    let parameters: [Parameter]

    // Gradients, the parameters' `grad` tensors by role.
    let blockGrads: [BlockWeights]  // [layer - firstBlock], each field the gradient of the weight of that name
    let lnfGrad: (w: Tensor, b: Tensor)?
    let headGrad: (w: Tensor, b: Tensor)
    let embeddingGrad: (wte: Tensor, wpe: Tensor)?

    // Activations of the current batch.
    private(set) var batch = PackedBatch(sequences: [])
    var labels: [Int32] = []
    /// Soft targets [B, K] of the current batch, when it is distilled (see `Trainer`).
    var targets: [Float]?
    /// [N, C] residual stream entering `firstBlock` (or the embeddings' output for `all`);
    /// [B, C] pooled hidden states in head mode. The trainer fills it from the prefix cache.
    let input = FloatBuffer()
    let blocks: [BlockActivations]
    let last = PooledBlockActivations()
    let lnf = FloatBuffer(), lnfMean = FloatBuffer(), lnfRstd = FloatBuffer()
    let logits = FloatBuffer(), probs = FloatBuffer()

    // Gradient scratch.
    let dres = FloatBuffer(), dln = FloatBuffer(), dqkv = FloatBuffer(), datty = FloatBuffer(), dfch = FloatBuffer()
    let datt = FloatBuffer()
    let dlogits = FloatBuffer(), dlnf = FloatBuffer(), dout = FloatBuffer(), dr1 = FloatBuffer()
    let dq = FloatBuffer(), dlnPooled = FloatBuffer()
    let dm = FloatBuffer(), dr = FloatBuffer(), dattRows = FloatBuffer()

    init(base: GPT2Weights, head: ClassifierHead, trainable: TrainableSet) {
        config = base.config
        self.trainable = trainable
        firstBlock = trainable.firstTrainableBlock(layers: base.config.layers)
        labelCount = head.classes
        var weights = base
        var parameters: [Parameter] = []
        func parameter(_ name: String, _ tensor: Tensor) -> Parameter {
            let p = Parameter(name: name, initial: tensor)
            parameters.append(p)
            return p
        }
        if trainable.trainsEmbeddings {
            let (wte, wpe) = (parameter("wte.weight", base.wte), parameter("wpe.weight", base.wpe))
            weights.wte = wte.value
            weights.wpe = wpe.value
            embeddingGrad = (wte.grad, wpe.grad)
        } else {
            embeddingGrad = nil
        }
        var blockGrads: [BlockWeights] = []
        for layer in firstBlock..<config.layers {
            let ps = zip(BlockWeights.names, base.blocks[layer].tensors).map { parameter("h.\(layer).\($0)", $1) }
            weights.blocks[layer].tensors = ps.map(\.value)
            blockGrads.append(BlockWeights(tensors: ps.map(\.grad)))
        }
        self.blockGrads = blockGrads
        if trainable != .head {
            let (w, b) = (parameter("ln_f.weight", base.lnfW), parameter("ln_f.bias", base.lnfB))
            weights.lnfW = w.value
            weights.lnfB = b.value
            lnfGrad = (w.grad, b.grad)
        } else {
            lnfGrad = nil
        }
        let (hw, hb) = (parameter("score.weight", head.weight), parameter("score.bias", head.bias))
        headWeight = hw.value
        headBias = hb.value
        headGrad = (hw.grad, hb.grad)
        self.weights = weights
        self.parameters = parameters
        blocks = (firstBlock..<max(firstBlock, config.layers - 1)).map { _ in BlockActivations() }
    }

    /// Sizes every buffer for `batch` (they only grow).
    func reserve(for batch: PackedBatch) {
        let (n, p, c, nh, k) = (batch.totalTokens, batch.count, config.channels, config.heads, labelCount)
        let lengths = (0..<p).map(batch.length)
        let maxT = lengths.max() ?? 0
        input.reserve(max(n, p) * c)
        for b in blocks { b.reserve(rows: n, channels: c, attention: nh * lengths.reduce(0) { $0 + $1 * $1 }) }
        last.reserve(rows: n, pooled: p, channels: c, heads: nh, attention: nh * n)
        for buffer in [dm, dr] { buffer.reserve(p * nh * c) }
        dattRows.reserve(maxT * nh)
        for buffer in [lnf, dlnf, dout, dr1, dq, dlnPooled] { buffer.reserve(p * c) }
        for buffer in [lnfMean, lnfRstd] { buffer.reserve(p) }
        for buffer in [logits, probs, dlogits] { buffer.reserve(p * k) }
        for buffer in [dres, dln, datty] { buffer.reserve(n * c) }
        dqkv.reserve(n * 3 * c)
        dfch.reserve(n * 4 * c)
        datt.reserve(maxT * maxT)
    }

    /// Input rows for `batch`; valid until the next `setBatch`.
    func setBatch(_ batch: PackedBatch) {
        self.batch = batch
        reserve(for: batch)
    }
}

/// `body` with the array's base address, or nil for no array.
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
