import CDNNL

/// Which reduced-precision kernels this CPU runs natively, as oneDNN sees it (its
/// `ONEDNN_MAX_CPU_ISA` environment variable caps that, e.g. `AVX2` to act as an older CPU).
/// Without AVX-512 BF16 oneDNN has no bf16 matmul worth running, and without VNNI its int8
/// kernels saturate 16-bit sums (measured: logits off by 12 on a model with outlier channels),
/// so both need their instructions; fp32 runs everywhere.
public struct CPUKernels: Sendable, Equatable {
    /// oneDNN's name for the instruction set it dispatches to.
    public let isa: String
    public let bf16: Bool
    public let int8: Bool

    public init(isa: String, bf16: Bool, int8: Bool) {
        self.isa = isa
        self.bf16 = bf16
        self.int8 = int8
    }

    /// From oneDNN's effective ISA value (`dnnl_cpu_isa_t`, a bit set where each level
    /// includes the one below it).
    public init(dnnlISA raw: UInt32) {
        func has(_ level: dnnl_cpu_isa_t) -> Bool { raw & level.rawValue == level.rawValue }
        let avx512bf16 = has(dnnl_cpu_isa_avx512_core_bf16)
        let vnni = has(dnnl_cpu_isa_avx512_core_vnni) || has(dnnl_cpu_isa_avx2_vnni)
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        let name = names.first { has($0.0) }?.1 ?? "generic"
        self.init(isa: name, bf16: avx512bf16, int8: vnni)
    }

    /// This machine, read once.
    public static let current = CPUKernels(dnnlISA: dnnl_get_effective_cpu_isa().rawValue)

    /// What `auto` picks: int8 where VNNI runs it (about 4x fp32's GEMM speed here), else bf16
    /// where AVX-512 BF16 does (about 2x), else fp32.
    public var fastest: Precision { int8 ? .int8 : bf16 ? .bf16 : .fp32 }

    public func supports(_ p: Precision) -> Bool {
        switch p {
        case .fp32: true
        case .bf16: bf16
        case .int8: int8
        }
    }

    public func require(_ p: Precision) throws {
        guard !supports(p) else { return }
        let needs = p == .bf16 ? "AVX-512 BF16 (avx512_bf16)" : "VNNI (avx512_vnni or avx_vnni)"
        throw GPT2Error.invalidInput("precision \(p) needs a CPU with \(needs); this one runs \(isa) (use fp32, or auto to pick what it has)")
    }
}
