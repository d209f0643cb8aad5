import GPT2

/// Which parameters train; everything else is frozen and never gets a gradient.
public enum TrainableSet: Sendable, Equatable, CustomStringConvertible {
    /// The classifier head only (`score.*`).
    case head
    /// The last `n` transformer blocks, the final LayerNorm and the head. `lastBlocks(1)` is the
    /// reference's choice and the default.
    case lastBlocks(Int)
    /// Everything, token and position embeddings included.
    case all

    public static let `default` = TrainableSet.lastBlocks(1)

    /// Parses `head`, `last-block`, `last-N-blocks` (e.g. `last-2-blocks`) or `all`.
    public init?(_ text: String) {
        switch text {
        case "head": self = .head
        case "last-block": self = .lastBlocks(1)
        case "all": self = .all
        default:
            guard text.hasPrefix("last-"), text.hasSuffix("-blocks"),
                  let n = Int(text.dropFirst("last-".count).dropLast("-blocks".count)), n > 0 else { return nil }
            self = .lastBlocks(n)
        }
    }

    public var description: String {
        switch self {
        case .head: "head"
        case .lastBlocks(1): "last-block"
        case let .lastBlocks(n): "last-\(n)-blocks"
        case .all: "all"
        }
    }

    /// The first block that trains; blocks below it are the frozen prefix. `layers` for `head`.
    public func firstTrainableBlock(layers: Int) -> Int {
        switch self {
        case .head: layers
        case let .lastBlocks(n): max(0, layers - n)
        case .all: 0
        }
    }

    public var trainsEmbeddings: Bool { self == .all }

    /// Official names of the trainable tensors, in checkpoint order.
    public func tensorNames(config: GPT2Config) -> [String] {
        var names: [String] = trainsEmbeddings ? ["wte.weight", "wpe.weight"] : []
        for layer in firstTrainableBlock(layers: config.layers)..<config.layers {
            names += BlockWeights.names.map { "h.\(layer).\($0)" }
        }
        if self != .head { names += ["ln_f.weight", "ln_f.bias"] }
        return names + ["score.weight", "score.bias"]
    }
}
