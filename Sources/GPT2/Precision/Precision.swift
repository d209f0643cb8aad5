/// The number format the frozen blocks compute in. Everything that trains (the tail blocks,
/// `ln_f`, the head) stays fp32 whatever this is.
///
/// - fp32: OpenBLAS sgemm, the reference.
/// - bf16: weights and activations rounded to bfloat16, products accumulated in fp32
///   (oneDNN, on CPUs with AVX-512 BF16).
/// - int8: weights quantized per output column, activations per row, int32 accumulation
///   (oneDNN, on CPUs with VNNI); activation columns with outliers stay fp32 (LLM.int8()).
public enum Precision: String, CaseIterable, Sendable, CustomStringConvertible {
    case fp32, bf16, int8

    public var description: String { rawValue }
}

/// What a configuration or a command line asks for: one precision, or `auto`, the fastest
/// this CPU runs natively.
public enum PrecisionSetting: Equatable, Sendable, CustomStringConvertible {
    case auto
    case fixed(Precision)

    public static let choices = "fp32, bf16, int8 or auto"

    public init?(_ text: String) {
        if text == "auto" {
            self = .auto
        } else if let p = Precision(rawValue: text) {
            self = .fixed(p)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .fixed(let p): p.rawValue
        }
    }

    /// The precision to run on `cpu`: an explicit one must have its kernels there.
    public func resolve(on cpu: CPUKernels = .current) throws -> Precision {
        switch self {
        case .auto:
            return cpu.fastest
        case .fixed(let p):
            try cpu.require(p)
            return p
        }
    }
}
