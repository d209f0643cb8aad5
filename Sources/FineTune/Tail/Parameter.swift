import GPT2

/// A trainable tensor with its gradient and AdamW moments, all owned (never a mapped file's pages).
public final class Parameter: @unchecked Sendable {
    /// Official name: `h.11.attn.c_attn.weight`, `ln_f.bias`, `score.weight`, `wte.weight`, …
    public let name: String
    public let value: Tensor
    public let grad: Tensor
    let m: Tensor
    let v: Tensor
    /// Where AdamW's start pull draws the value back to (`AdamWConfig.startPull`); nil: no pull.
    private(set) var anchor: Tensor?

    /// `value` is copied, so the base model's tensors are never written.
    init(name: String, initial: Tensor) {
        self.name = name
        value = initial.copy()
        grad = Tensor(zeros: initial.shape)
        m = Tensor(zeros: initial.shape)
        v = Tensor(zeros: initial.shape)
    }

    var count: Int { value.count }

    /// Makes the current value the one the start pull draws back to.
    func anchorAtCurrentValue() { anchor = value.copy() }
}
