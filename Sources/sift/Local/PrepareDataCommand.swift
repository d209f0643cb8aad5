import ArgumentParser
import FineTune
import Foundation

/// `sift prepare-data`: labeled texts or mail in, balanced and split train/validation/test files out.
struct PrepareDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Balance and split a labeled data file, or labeled mail, into train, validation and test files.",
        discussion: """
            Input formats: tsv (label<TAB>text per line, split on the first tab: the SMS Spam \
            Collection's format), csv (a header with "label" and "text" columns; RFC 4180 quoting), \
            jsonl (one {"text": …, "label": …} object per line), mail. auto picks mail for a \
            directory, a file starting with an mbox "From " line, or with --label; otherwise by \
            extension, else by content.

            Mail: INPUT is a folder whose sub-folders are named by label (spam/, ham/; any names, \
            used verbatim as labels unless --map renames them; files beside the sub-folders are \
            skipped), or with --label NAME a message file, mbox, Maildir or folder whose messages \
            all get NAME. Each message becomes the text the model reads (SiftMail's model text, \
            as siftd classifies it, line breaks included). A message seen \
            before (same Message-ID, else same bytes) is dropped as a duplicate; one with \
            nothing to read is reported on stderr and skipped.

            Labels are trimmed and lower-cased (Spam and spam are one label); a UTF-8 byte-order mark \
            at the start of a file is ignored. As the reference does: every label is undersampled \
            to the count of the rarest, and what that drops is printed (unless --no-balance), the rows are shuffled with --seed and cut 70/10/20. The SMS Spam Collection \
            gives 747 + 747 = 1494 → 1045/149/300. Outputs are label<TAB>text lines (train.tsv, \
            validation.tsv, test.tsv); when a text has a tab or a line break, as mail's model text \
            has, they are JSON lines instead (train.jsonl, …), so the text is kept exactly. `sift \
            train --data`, `sift eval` and retrain.seed_data read either.

            Example:
              sift prepare-data ../shared/data/sms-spam-collection/SMSSpamCollection --out data/sms
              sift prepare-data ../shared/data/spamassassin-public-corpus --map easy_ham=ham --out data/mail
              sift prepare-data ~/mail/spam.mbox --label spam --no-balance --out data/spam-only
            """)

    @Argument(help: "The labeled data file, or mail: a folder of label folders, or with --label a mailbox.")
    var input: String

    @Option(help: "Input format: auto, tsv, csv, jsonl or mail.")
    var format: String = "auto"

    @Option(help: "Mail: the label of every message in INPUT (a message file, mbox, Maildir or folder).")
    var label: String?

    @Option(name: .customLong("map"), help: "Mail: a label folder's name and the label it stands for, FOLDER=LABEL (repeatable).")
    var maps: [String] = []

    @Option(help: "Seed for undersampling and shuffling.")
    var seed: UInt64 = 123

    @Flag(inversion: .prefixedNo, help: "Undersample every label to the rarest one's count.")
    var balance = true

    @Option(help: "Label names in head-row order, comma-separated (default: ham,spam if that is all there is, else sorted). Rows with other labels are errors.")
    var labels: String?

    @Option(help: "Fraction of rows for training.")
    var trainFraction: Double = 0.7

    @Option(help: "Fraction of rows for validation (the rest is the test split).")
    var validationFraction: Double = 0.1

    @Option(help: "Output directory (created if needed).")
    var out: String

    func validate() throws {
        if format != "auto" && format != "mail" && DataFormat(rawValue: format) == nil {
            throw ValidationError("--format must be auto, tsv, csv, jsonl or mail")
        }
        for map in maps where map.split(separator: "=", omittingEmptySubsequences: false).count != 2 || map.hasPrefix("=") || map.hasSuffix("=") {
            throw ValidationError("--map takes FOLDER=LABEL, not \"\(map)\"")
        }
        if trainFraction < 0 || validationFraction < 0 || trainFraction + validationFraction > 1 {
            throw ValidationError("--train-fraction and --validation-fraction must be ≥ 0 and sum to at most 1")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: input)
        let given = labels.map { LabelSet(names: $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let rows: [LabeledExample]
        var notes: [String] = []
        if isMail {
            let mail = try MailDataReader.read(input, label: label, rename: Dictionary(maps.map {
                let parts = $0.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts[1])
            }) { _, last in last })
            if let given, let unknown = mail.examples.first(where: { given.index(of: $0.label) == nil }) {
                throw DatasetError.unknownLabel(path: input, line: 0, label: unknown.label, known: given.names)
            }
            rows = mail.examples
            notes = mail.skippedFiles.map { "skipped \($0): not in a label folder" }
                + ["\(mail.duplicates) duplicate messages dropped, \(mail.unreadable) unreadable skipped"]
        } else {
            rows = try LabeledDataReader.read(url, format: DataFormat(rawValue: format), labels: given)
        }
        let labelSet = given ?? LabelSet.inferred(from: rows)
        let kept = balance ? DatasetSplit.balanced(rows, labels: labelSet, seed: seed) : rows
        let split = DatasetSplit.split(kept, trainFraction: trainFraction, validationFraction: validationFraction, seed: seed)
        let dir = URL(fileURLWithPath: out)
        try split.write(to: dir)
        func counts(_ rows: [LabeledExample]) -> String {
            labelSet.names.map { name in "\(name) \(rows.filter { $0.label == name }.count)" }.joined(separator: ", ")
        }
        print("read \(rows.count) \(isMail ? "messages" : "rows") from \(url.path) (\(counts(rows)))")
        notes.forEach { print($0) }
        if balance {
            print("balanced to \(kept.count) (\(counts(kept)))")
            // Say what undersampling threw away: on the SMS collection, most of the ham.
            let dropped = labelSet.names.compactMap { name -> String? in
                let before = rows.count { $0.label == name }, after = kept.count { $0.label == name }
                return before > after ? "\(before - after) of \(before) \(name)" : nil
            }
            if !dropped.isEmpty { print("balancing dropped \(dropped.joined(separator: ", ")) (--no-balance keeps every row)") }
        }
        let names = split.writtenFileNames
        for (name, part) in [(names.train, split.train), (names.validation, split.validation), (names.test, split.test)] {
            print("\(dir.appendingPathComponent(name).path): \(part.count) (\(counts(part)))")
        }
    }

    /// Whether INPUT is mail: --format mail, or (auto) --label, a directory, or an mbox `From ` line first.
    private var isMail: Bool {
        if format != "auto" { return format == "mail" }
        if label != nil { return true }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue { return true }
        let start = FileHandle(forReadingAtPath: input).flatMap { try? $0.read(upToCount: 5) }
        return start == Data("From ".utf8)
    }
}
