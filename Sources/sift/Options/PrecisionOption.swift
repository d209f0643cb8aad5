import ArgumentParser
import GPT2

/// `--precision`, for every command that runs the frozen blocks in this process.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "What the frozen blocks compute in: fp32, bf16 (AVX-512 BF16), int8 (VNNI) or auto (the fastest this CPU has). The trained tail and the head stay fp32.",
        valueName: "precision"))
    var precision: String = "fp32"

    func validate() throws {
        guard let setting = PrecisionSetting(precision) else {
            throw ValidationError("--precision must be \(PrecisionSetting.choices), got \(precision)")
        }
        do {
            _ = try setting.resolve()
        } catch {
            throw ValidationError("--precision \(precision): \(error)")
        }
    }

    /// The precision to run on this CPU (validated above).
    var resolved: Precision { (try? PrecisionSetting(precision)?.resolve()) ?? .fp32 }
}
