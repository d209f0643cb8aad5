/// The rules for a label name. Names become class names in a model's head and keys in
/// JSON replies, so they are short, visible and unambiguous.
package enum LabelName {
    static let maximumUTF8Length = 64

    package static func validate(_ label: String) throws {
        if label.isEmpty {
            throw StoreError.invalidLabel(label, reason: "a label cannot be empty")
        }
        if label.utf8.count > maximumUTF8Length {
            throw StoreError.invalidLabel(label, reason: "longer than \(maximumUTF8Length) bytes")
        }
        if label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw StoreError.invalidLabel(label, reason: "contains control characters")
        }
        if label.first!.isWhitespace || label.last!.isWhitespace {
            throw StoreError.invalidLabel(label, reason: "begins or ends with white space")
        }
    }
}
