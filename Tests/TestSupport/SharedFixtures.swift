import Foundation
import XCTest

/// Locates `../shared` (the data and golden files that sit beside the checkout).
///
/// Tests that need it call `try SharedFixtures.require()`. Under `CI=true` a missing
/// directory is a failure with a message that says where it was looked for; elsewhere
/// the test is skipped and says so (XCTSkip prints the reason).
public enum SharedFixtures {
    /// The package root: the nearest directory above this source file that holds Package.swift.
    public static let packageRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `$SIFT_SHARED` if set, else `<package root>/../shared`.
    public static var directory: URL {
        if let env = ProcessInfo.processInfo.environment["SIFT_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static var isCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }

    /// Returns the URL of `relativePath` inside shared/, or fails (CI) / skips (elsewhere).
    public static func require(_ relativePath: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = relativePath.isEmpty ? directory : directory.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let message = "shared fixture missing: \(url.path) (set SIFT_SHARED or put shared/ beside the checkout)"
        if isCI {
            XCTFail(message, file: file, line: line)
            throw MissingFixture(message: message)
        }
        throw XCTSkip("skipped: \(message)")
    }

    public struct MissingFixture: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
