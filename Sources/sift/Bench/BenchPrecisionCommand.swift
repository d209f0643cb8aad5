import ArgumentParser
import FineTune
import Foundation
import GPT2
import GPT2Tokenizer
import SiftJSON

/// `sift bench precision`: the accuracy budget of bf16 and int8 against fp32, on the same texts.
struct BenchPrecisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precision",
        abstract: "How far bf16 and int8 logits are from fp32's: max and mean |difference|, label agreement.",
        discussion: """
            Runs the SMS texts through the model in fp32 and in each reduced precision this CPU \
            has, with the same head, and compares the logits text by text. Without --model the \
            model is random weights of --shape with --outliers residual channels scaled by \
            --outlier-scale, as real GPT-2 has them (the case that breaks naive int8). The budget \
            the tests hold: bf16 within 0.05 of fp32, int8 within 0.1, and no label change where \
            fp32's margin exceeds 0.2.
            """)

    @OptionGroup var model: BenchModelOptions

    @OptionGroup var threads: ThreadsOption

    @Option(help: "Residual channels of the random model to scale, as outliers (0: none).")
    var outliers = 3

    @Option(help: "How much larger the outlier channels are.")
    var outlierScale: Float = 100

    @Option(help: "Texts to compare.")
    var limit = 300

    @Flag(help: "Print one JSON object instead of a summary.")
    var json = false

    func validate() throws {
        if limit < 1 || outliers < 0 || !(outlierScale > 0) { throw ValidationError("--limit must be ≥ 1, --outliers ≥ 0, --outlier-scale > 0") }
    }

    func run() throws {
        threads.apply()
        var weights = try model.loadWeights(seed: 1)
        let config = weights.config
        // GPT-2's own (138, 378, 447) in the 768-wide shape, as the tests use; spread over other widths.
        let channels = config.channels == 768 && outliers <= 3
            ? Array([138, 378, 447].prefix(outliers)) : (0..<outliers).map { (config.channels / (outliers + 1)) * ($0 + 1) + 10 }
        if model.model == nil, outliers > 0 { weights = weights.withOutlierChannels(channels, scale: outlierScale) }
        let head = try Bench.randomHead(channels: config.channels)
        let tokenizer = try BPETokenizer(directory: model.tokenizerDirectory)
        let texts = try LabeledDataReader.read(model.random.dataFile).prefix(limit).map(\.text)
        let ids = texts.map { Pooling.last.prepare(tokenizer.encode($0), contextLength: config.contextLength) }

        let frozen = Classifier.frozenBlocks(layers: config.layers, trained: [])
        let reference = Classifier(model: GPT2Model(weights: weights), head: head, pooling: .last)
        let cpu = CPUKernels.current
        var results: [(Precision, PrecisionAgreement)] = []
        for precision in [Precision.bf16, .int8] where cpu.supports(precision) {
            let candidate = Classifier(model: try GPT2Model(weights: weights, precision: precision, frozen: frozen), head: head, pooling: .last)
            results.append((precision, PrecisionAgreement.measure(reference: reference, candidate: candidate, sequences: ids)))
        }
        let skipped = [Precision.bf16, .int8].filter { !cpu.supports($0) }.map(\.rawValue)

        var byPrecision: [(key: String, value: JSONValue)] = []
        for (p, a) in results {
            byPrecision.append((p.rawValue, [
                "max_logit_difference": .double(Double(a.maxLogitDifference)),
                "mean_logit_difference": .double(Double(a.meanLogitDifference)),
                "label_agreement": .double(a.labelAgreement),
                "confident_texts": .int(Int64(a.confident)),
                "confident_label_changes": .int(Int64(a.confidentFlips)),
            ]))
        }
        let figures: JSONValue = [
            "model": .string(model.name),
            "outlier_channels": .array(model.model == nil ? channels.map { .int(Int64($0)) } : []),
            "outlier_scale": .double(model.model == nil && outliers > 0 ? Double(outlierScale) : 1),
            "texts": .int(Int64(ids.count)),
            "isa": .string(cpu.isa),
            "precisions": .object(byPrecision),
            "not_on_this_cpu": .array(skipped.map { .string($0) }),
        ]
        if json {
            CLI.printJSON(figures)
            return
        }
        let outlierNote = model.model == nil && outliers > 0 ? ", outlier channels \(channels) ×\(Int(outlierScale))" : ""
        print("precision against fp32: \(model.name)\(outlierNote), \(ids.count) SMS texts, CPU \(cpu.isa)")
        for (p, a) in results {
            let figures = String(format: "max |Δlogit| %.4f, mean %.4f, same label %.1f%%", a.maxLogitDifference, a.meanLogitDifference,
                                 a.labelAgreement * 100)
            print("  \(p): \(figures), label changes where fp32's margin > 0.2: \(a.confidentFlips) of \(a.confident)")
        }
        for p in skipped { print("  \(p): not run (this CPU lacks its instructions)") }
    }
}
