import ArgumentParser
import SiftDaemon

@main
struct Sift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Sift's command-line tool: tokenize, predict, train, evaluate, benchmark and talk to siftd.",
        version: SiftVersion.string,
        subcommands: [PredictCommand.self, TokenizeCommand.self, BenchCommand.self,
                      PrepareDataCommand.self, TrainCommand.self, EvalCommand.self, InitModelCommand.self,
                      ClassifyCommand.self, CheckCommand.self, LearnCommand.self, CorrectCommand.self, LabelCommand.self, ForgetCommand.self,
                      StatsCommand.self, HealthCommand.self, ModelsCommand.self, RetrainCommand.self, RollbackCommand.self,
                      MetricsCommand.self, BackupCommand.self])
}
