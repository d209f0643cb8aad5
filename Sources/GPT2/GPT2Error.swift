/// Everything that can go wrong loading or running a model, with enough detail to act on.
public enum GPT2Error: Error, CustomStringConvertible, Equatable {
    case fileUnreadable(path: String, reason: String)
    case invalidConfig(key: String, reason: String)
    case badSafeTensorsHeader(path: String, reason: String)
    case truncatedFile(path: String, tensor: String, needs: Int, has: Int)
    case missingTensor(path: String, name: String)
    case wrongShape(name: String, expected: [Int], got: [Int])
    case unsupportedDType(name: String, dtype: String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason): "cannot read \(path): \(reason)"
        case let .invalidConfig(key, reason): "invalid model config key \(key): \(reason)"
        case let .badSafeTensorsHeader(path, reason): "bad safetensors header in \(path): \(reason)"
        case let .truncatedFile(path, tensor, needs, has):
            "\(path) is truncated: tensor \(tensor) needs bytes up to offset \(needs) but the file has \(has)"
        case let .missingTensor(path, name): "tensor \(name) is missing from \(path)"
        case let .wrongShape(name, expected, got): "tensor \(name) has shape \(got), expected \(expected)"
        case let .unsupportedDType(name, dtype): "tensor \(name) has dtype \(dtype); supported: F32, F16, BF16"
        case let .invalidInput(reason): reason
        }
    }
}
