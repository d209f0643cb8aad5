import ArgumentParser
import SiftDaemon

@main
struct Sift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Sift's command-line tool: talk to siftd and operate it, prepare data, train and evaluate models, measure.",
        version: SiftVersion.string,
        // Grouped by task in --help, what most people run first at the top; the man page and
        // the completions follow the same order.
        groupedSubcommands: [
            CommandGroup(name: "Talk to siftd", subcommands: [
                ClassifyCommand.self, CheckCommand.self, LearnCommand.self, CorrectCommand.self, LabelCommand.self,
                ForgetCommand.self]),
            CommandGroup(name: "Operate siftd", subcommands: [
                StatsCommand.self, HealthCommand.self, ModelsCommand.self, NodesCommand.self, RetrainCommand.self, RollbackCommand.self,
                MetricsCommand.self, BackupCommand.self]),
            CommandGroup(name: "Data and models", subcommands: [
                PrepareDataCommand.self, TrainCommand.self, EvalCommand.self, InitModelCommand.self, PredictCommand.self]),
            CommandGroup(name: "Inspect and measure", subcommands: [TokenizeCommand.self, BenchCommand.self]),
        ])
}
