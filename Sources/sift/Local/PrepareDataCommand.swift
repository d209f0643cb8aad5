import ArgumentParser
import FineTune
import Foundation

/// `sift prepare-data`: labeled texts in, balanced and split train/validation/test TSV files out.
struct PrepareDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-data",
        abstract: "Balance and split a labeled data file into train.tsv, validation.tsv and test.tsv.",
        discussion: """
            Input formats: tsv (label<TAB>text per line, split on the first tab: the SMS Spam \
            Collection's format), csv (a header with "label" and "text" columns; RFC 4180 quoting), \
            jsonl (one {"text": …, "label": …} object per line). auto picks by extension, else by content.

            As the reference does: every label is undersampled to the count of the rarest (unless \
            --no-balance), the rows are shuffled with --seed and cut 70/10/20. The SMS Spam Collection \
            gives 747 + 747 = 1494 → 1045/149/300. Outputs are label<TAB>text lines; tabs and line \
            breaks inside a text become spaces.

            Example:
              sift prepare-data ../shared/data/sms-spam-collection/SMSSpamCollection --out data/sms
            """)

    @Argument(help: "The labeled data file.")
    var input: String

    @Option(help: "Input format: auto, tsv, csv or jsonl.")
    var format: String = "auto"

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
        if format != "auto" && DataFormat(rawValue: format) == nil { throw ValidationError("--format must be auto, tsv, csv or jsonl") }
        if trainFraction < 0 || validationFraction < 0 || trainFraction + validationFraction > 1 {
            throw ValidationError("--train-fraction and --validation-fraction must be ≥ 0 and sum to at most 1")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: input)
        let given = labels.map { LabelSet(names: $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let rows = try LabeledDataReader.read(url, format: DataFormat(rawValue: format), labels: given)
        let labelSet = given ?? LabelSet.inferred(from: rows)
        let kept = balance ? DatasetSplit.balanced(rows, labels: labelSet, seed: seed) : rows
        let split = DatasetSplit.split(kept, trainFraction: trainFraction, validationFraction: validationFraction, seed: seed)
        let dir = URL(fileURLWithPath: out)
        try split.write(to: dir)
        func counts(_ rows: [LabeledExample]) -> String {
            labelSet.names.map { name in "\(name) \(rows.filter { $0.label == name }.count)" }.joined(separator: ", ")
        }
        print("read \(rows.count) rows from \(url.path) (\(counts(rows)))")
        if balance { print("balanced to \(kept.count) (\(counts(kept)))") }
        for (name, part) in [(DatasetSplit.fileNames.train, split.train), (DatasetSplit.fileNames.validation, split.validation),
                             (DatasetSplit.fileNames.test, split.test)] {
            print("\(dir.appendingPathComponent(name).path): \(part.count) (\(counts(part)))")
        }
    }
}
