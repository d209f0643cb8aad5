import ArgumentParser
import FineTune
import Foundation
import GPT2
import SiftJSON
import GPT2Tokenizer

/// `sift eval`: metrics of a classifier on labeled files, through the inference engine.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Loss, accuracy, precision, recall, F1, confusion matrix and threshold curve of a classifier on labeled files.",
        discussion: """
            Classifies each file's texts exactly as `sift predict` and the daemon do (base model \
            plus classifier checkpoint), then compares with the labels. Precision, recall and F1 \
            are for "spam" when the labels have it (else the second of two labels; macro averages \
            for more). Files are in any format `sift prepare-data` reads.

            For a spam/ham model it also prints precision, recall and the share of ham called spam \
            at a range of thresholds on the spam probability: choose siftd's \
            `classify.spam_threshold` (and the unsure band's `classify.ham_threshold`) from it. \
            The confusion matrix above is at 0.5 (the most probable label).

            Example:
              sift eval --base models/gpt2 --classifier models/candidate.safetensors data/sms/test.tsv
            """)

    @OptionGroup var model: ClassifierOptions

    @Argument(help: "Labeled data files (e.g. train.tsv validation.tsv test.tsv).")
    var files: [String]

    @Option(help: "Texts per forward pass.")
    var batchSize: Int = 32

    @OptionGroup var threads: ThreadsOption

    @Flag(help: "Print one JSON object (file name → metrics) instead of summaries.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one data file") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        threads.apply(precision: model.precision.resolved)
        let (model, tokenizer) = try self.model.load()
        let labels = LabelSet(names: model.labels)
        var results: [String: Evaluation] = [:]
        var curves: [String: ThresholdCurve] = [:]
        // The curve is for a spam/ham pair, on the label Evaluation's precision and recall are about.
        let spamIndex = labels.names.count == 2 ? Evaluation.positiveIndex(of: labels.names) : nil
        for file in files {
            let rows = try LabeledDataReader.read(URL(fileURLWithPath: file), labels: labels)
            var confusion = ConfusionMatrix(labels: labels.names)
            var lossSum = 0.0
            var scores: [(spamProbability: Double, isSpam: Bool)] = []
            let bar = ProgressBar(URL(fileURLWithPath: file).lastPathComponent, total: rows.count, unit: "texts")
            defer { bar.finish() }
            for start in stride(from: 0, to: rows.count, by: batchSize) {
                bar.update(start)
                let batch = rows[start..<min(rows.count, start + batchSize)]
                let predictions = model.classify(tokenIDs: batch.map { tokenizer.encode($0.text) })
                for (row, p) in zip(batch, predictions) {
                    let actual = labels.index(of: row.label)!  // checked by the reader
                    confusion.add(actual: actual, predicted: p.labelIndex)
                    if let spamIndex { scores.append((Double(p.probabilities[spamIndex]), actual == spamIndex)) }
                    // Cross-entropy from the logits (log-sum-exp), as training computes it.
                    let top = p.logits.max()!
                    lossSum += Double(log(p.logits.map { exp($0 - top) }.reduce(0, +)) + top - p.logits[actual])
                }
            }
            results[file] = Evaluation(confusion: confusion, loss: lossSum / Double(rows.count))
            if spamIndex != nil { curves[file] = ThresholdCurve(scores: scores) }
        }
        if json {
            // Each file's evaluation, with its curve under "thresholds".
            var object: [(key: String, value: JSONValue)] = []
            for file in Set(files).sorted() where results[file] != nil {
                guard case var .object(fields) = try JSONValue(encoding: results[file]!) else { continue }
                if let curve = curves[file] { fields.append(("thresholds", try JSONValue(encoding: curve))) }
                object.append((file, JSONValue.object(fields).sortedKeys))
            }
            CLI.printJSON(.object(object))
        } else {
            for file in files {
                print("\(file):\n\(results[file]!.summary)\n")
                if let curve = curves[file] { print("\(curve.table)\n") }
            }
        }
    }
}
