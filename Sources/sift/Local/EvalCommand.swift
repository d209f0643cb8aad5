import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer

/// `sift eval`: metrics of a classifier on labeled files, through the inference engine.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Loss, accuracy, precision, recall, F1 and confusion matrix of a classifier on labeled files.",
        discussion: """
            Classifies each file's texts exactly as `sift predict` and the daemon do (base model \
            plus classifier checkpoint), then compares with the labels. Precision, recall and F1 \
            are for "spam" when the labels have it (else the second of two labels; macro averages \
            for more). Files are in any format `sift prepare-data` reads.

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
        threads.apply()
        let (model, tokenizer) = try self.model.load()
        let labels = LabelSet(names: model.labels)
        var results: [String: Evaluation] = [:]
        for file in files {
            let rows = try LabeledDataReader.read(URL(fileURLWithPath: file), labels: labels)
            var confusion = ConfusionMatrix(labels: labels.names)
            var lossSum = 0.0
            for start in stride(from: 0, to: rows.count, by: batchSize) {
                let batch = rows[start..<min(rows.count, start + batchSize)]
                let predictions = model.classify(tokenIDs: batch.map { tokenizer.encode($0.text) })
                for (row, p) in zip(batch, predictions) {
                    let actual = labels.index(of: row.label)!  // checked by the reader
                    confusion.add(actual: actual, predicted: p.labelIndex)
                    // Cross-entropy from the logits (log-sum-exp), as training computes it.
                    let top = p.logits.max()!
                    lossSum += Double(log(p.logits.map { exp($0 - top) }.reduce(0, +)) + top - p.logits[actual])
                }
            }
            results[file] = Evaluation(confusion: confusion, loss: lossSum / Double(rows.count))
        }
        if json {
            print(Evaluation.json(results))
        } else {
            for file in files { print("\(file):\n\(results[file]!.summary)\n") }
        }
    }
}
