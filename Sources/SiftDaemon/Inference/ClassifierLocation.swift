import Checksum
import Foundation
import SpamStore

/// Which classifier file serves, and under what version: the registry's active model when there
/// is one, else the file named in the config (`model.classifier`, default head.safetensors in
/// `model.base`). The daemon serves it and a retrain warm-starts from it.
///
/// A registry model's `path` is its directory (on a store that holds model files, this node's
/// copy of it: ``ModelFileCache``) (holding `classifier.safetensors`) or the file.
/// The configured classifier's version is `configured-` and the first 12 hex digits of the
/// file's SHA-256, so predictions made by different files are told apart in the store.
public struct ClassifierLocation: Sendable, Equatable {
    public var version: String
    public var file: URL
    /// From the registry (else the configured file).
    public var isRegistered: Bool

    /// The file name inside a registered model's directory.
    public static let fileName = "classifier.safetensors"

    /// nil when the registry has no active model and the configured file does not exist.
    public static func resolve(_ config: DaemonConfig, store: any SiftStore) throws -> ClassifierLocation? {
        if let active = try store.activeModel() {
            let path = try ModelFileCache.localPath(of: active, store: store, modelsDirectory: config.modelsDirectory)
            return ClassifierLocation(version: active.version, file: file(ofModelAt: path), isRegistered: true)
        }
        let file = configuredFile(config)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let version = "configured-" + String(try SHA256.hex(contentsOf: file).prefix(12))
        return ClassifierLocation(version: version, file: file, isRegistered: false)
    }

    public static func configuredFile(_ config: DaemonConfig) -> URL {
        config.model.classifier.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: config.baseModelDirectory).appendingPathComponent("head.safetensors")
    }

    /// A registry path is a model directory or the classifier file itself.
    public static func file(ofModelAt path: String) -> URL {
        var file = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), isDirectory.boolValue {
            file.appendPathComponent(fileName)
        }
        return file
    }
}
