/// A frozen block's four weights packed for a reduced precision; its LayerNorms and biases stay
/// fp32 in ``BlockWeights``.
public final class PackedBlock: @unchecked Sendable {
    let qkv, attnProj, fc, fcProj: PackedMatrix

    init(_ w: BlockWeights, precision: Precision) throws {
        qkv = try PackedMatrix(w.qkvW, precision: precision)
        attnProj = try PackedMatrix(w.attnProjW, precision: precision)
        fc = try PackedMatrix(w.fcW, precision: precision)
        fcProj = try PackedMatrix(w.fcProjW, precision: precision)
    }

    public var precision: Precision { qkv.precision }
    public var implementation: String { qkv.implementation }
    /// Bytes of packed weights (the fp32 originals are 4 per parameter).
    public var bytes: Int { [qkv, attnProj, fc, fcProj].reduce(0) { $0 + $1.packedBytes } }
}

extension Matmul {
    /// `forward` for a block's weight: its packed copy's reduced-precision matmul when it has
    /// one (and the pass has scratch for it), else fp32.
    static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>, packed: PackedMatrix?,
                        scratch: ReducedScratch?, b: UnsafePointer<Float>?, n: Int, ic: Int, oc: Int, accumulate: Bool = false) {
        if let packed, let scratch {
            packed.forward(out: out, x: x, b: b, m: n, accumulate: accumulate, scratch: scratch)
        } else {
            forward(out: out, x: x, w: w, b: b, n: n, ic: ic, oc: oc, accumulate: accumulate)
        }
    }
}
