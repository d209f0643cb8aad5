/// The messages of one ``MailboxFile``, read as they are asked for. A failure ends the
/// sequence: it is the last element.
public struct MailboxFileMessages: Sequence, IteratorProtocol {
    private enum State {
        case start
        case mbox(MboxSplitter)
        case done
    }

    private let file: MailboxFile
    private var state = State.start

    init(file: MailboxFile) {
        self.file = file
    }

    public mutating func next() -> Result<MailboxMessage, MailboxError>? {
        do throws(MailboxError) {
            switch state {
            case .done:
                return nil
            case var .mbox(splitter):
                let message = try splitter.next()
                state = message == nil ? .done : .mbox(splitter)
                return message.map { .success($0) }
            case .start:
                state = .done
                let lines = try FileLines(path: file.path)
                // An empty file (an empty mbox, or a Maildir entry being written) holds no message.
                guard let first = try lines.nextLine() else { return nil }
                if file.kind != .maildirEntry, MboxSplitter.isEnvelope(first) {
                    // Hand the first line back by starting over: the splitter reads it again.
                    state = .mbox(MboxSplitter(lines: try FileLines(path: file.path)))
                    return next()
                }
                if file.kind == .inFolder, !Headers.isField(first) { throw MailboxError.notMail(path: file.path) }
                return .success(MailboxMessage(bytes: Array(first) + (try lines.rest()), origin: file.path))
            }
        } catch {
            state = .done
            return .failure(error)
        }
    }
}
