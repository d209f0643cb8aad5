import ArgumentParser
import Foundation
import GPT2
import GPT2Tokenizer

/// `sift predict`: offline classification of texts read from stdin, one JSON line per text.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify texts from stdin (one per line) with a base model and a classifier file.",
        discussion: """
            Each input line is one text; each output line is a JSON object with "label", \
            "probabilities" (by label name) and "logits" (in label order). Lines are classified \
            in batches of --batch-size; results come out in input order. The tokenizer files \
            (vocab.json + merges.txt, or encoder.json + vocab.bpe) are read from the base directory.

            Example:
              echo "WINNER!! Claim your prize now" | sift predict --base models/gpt2 --classifier models/7/classifier.safetensors
            """)

    @OptionGroup var model: ClassifierOptions

    @Option(help: "Texts classified together in one forward pass.")
    var batchSize: Int = 16

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    struct Output: Encodable {
        let label: String
        let probabilities: [String: Float]
        let logits: [Float]
    }

    func run() throws {
        threads.apply(precision: model.precision.resolved)
        let (model, tokenizer) = try self.model.load()
        var pending = [String]()
        func flush() throws {
            let predictions = model.classify(tokenIDs: pending.map(tokenizer.encode))
            for p in predictions {
                let probabilities = Dictionary(uniqueKeysWithValues: zip(model.labels, p.probabilities))
                try CLI.printJSONLine(Output(label: p.label, probabilities: probabilities, logits: p.logits))
            }
            pending.removeAll(keepingCapacity: true)
        }
        while let line = readLine(strippingNewline: true) {
            pending.append(line)
            if pending.count >= batchSize { try flush() }
        }
        if !pending.isEmpty { try flush() }
    }
}
