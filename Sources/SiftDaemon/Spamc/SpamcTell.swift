import Foundation

/// What a TELL asks: learn the message as spam or ham (`Set: local` with `Message-class`), or
/// forget it (`Remove: local`). Sift has no remote (collaborative) database.
struct SpamcTell: Sendable, Equatable {
    /// The label to store; nil: forget.
    var label: String?

    /// The operation it amounts to, for authorization and to run: `label` or `forget`.
    var operation: String { label == nil ? "forget" : "label" }

    init(label: String?) {
        self.label = label
    }

    init(_ request: SpamcRequest) throws(SpamcError) {
        let set = try Self.databases(request, "set")
        let remove = try Self.databases(request, "remove")
        let messageClass = request[header: "message-class"]?.lowercased()
        if set.contains("local") && remove.contains("local") {
            throw SpamcError(.protocolError, "TELL cannot both Set and Remove local")
        }
        if set.contains("local") {
            guard let messageClass else { throw SpamcError(.protocolError, "TELL with Set: local needs Message-class: spam or ham") }
            guard messageClass == "spam" || messageClass == "ham" else {
                throw SpamcError(.protocolError, "Message-class must be spam or ham, not \(messageClass.debugDescription)")
            }
            label = messageClass
        } else if remove.contains("local") {
            label = nil
        } else if !set.isEmpty || !remove.isEmpty {
            throw SpamcError(.unavailable, "Sift has no remote database; use Set: local or Remove: local (spamc -L, not -C)")
        } else {
            throw SpamcError(.protocolError, "TELL needs a Set: local or a Remove: local header")
        }
    }

    /// The databases a `Set` or `Remove` header names: `local`, `remote`, or both, comma-separated.
    private static func databases(_ request: SpamcRequest, _ header: String) throws(SpamcError) -> Set<String> {
        guard let value = request[header: header] else { return [] }
        var names: Set<String> = []
        for part in value.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard name == "local" || name == "remote" else {
                throw SpamcError(.protocolError, "\(header.capitalized): \(value.debugDescription) names neither local nor remote")
            }
            names.insert(name)
        }
        return names
    }
}
