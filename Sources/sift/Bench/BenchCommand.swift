import ArgumentParser

/// `sift bench …`: measured speed of each part. Each prints a readable summary, or with
/// `--json` a single JSON object of the figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: print a readable summary, or one JSON object with --json.",
        subcommands: [BenchInferCommand.self, BenchTokenizerCommand.self, BenchStoreCommand.self, BenchTrainCommand.self, BenchRetrainCommand.self, BenchLearningCommand.self,
                      BenchServeCommand.self, BenchOverloadCommand.self, BenchJournalCommand.self, BenchMailExtractCommand.self, BenchMailCommand.self,
                      BenchSpamcCommand.self, BenchPrecisionCommand.self])
}
