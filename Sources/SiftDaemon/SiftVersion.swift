/// The version printed by `sift --version` and `siftd --version` and reported by `health`.
public enum SiftVersion {
    public static let string = "0.1.0"
}
