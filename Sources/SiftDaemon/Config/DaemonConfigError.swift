/// A configuration value siftd cannot use, named by its key so the operator knows what to fix.
public struct DaemonConfigError: Error, Equatable, CustomStringConvertible {
    /// The dotted key, e.g. `limits.max_line_bytes`.
    public var key: String
    public var problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String {
        "config key \(key) (env \(DaemonConfigLoader.environmentName(of: key))): \(problem)"
    }
}
