using System.CommandLine;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent demo reber</c>: a real training run that needs no download.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var demo = new Command("demo", "Training runs on data the program generates itself: no download needed.");
        demo.Subcommands.Add(CreateReber());
        return demo;
    }

    private static Command CreateReber()
    {
        var strings = new Option<int>("--strings") { Description = "Training strings to generate.", DefaultValueFactory = _ => 4000 };
        var run = new Option<string?>("--run") { Description = "Run folder (default: runs/reber-TIMESTAMP)." };
        var configOptions = new ModelConfigOptions();
        var reber = new Command("reber", "Train a character LSTM on the embedded Reber grammar and show that it remembers: " +
            "the second-to-last symbol must repeat the second one, across an inner string of any length.");
        reber.Options.Add(strings);
        reber.Options.Add(run);
        configOptions.AddTo(reber);
        reber.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int count = parseResult.GetValue(strings);
            if (count < 100) throw new RecurrentException($"--strings must be at least 100, got {count}.");
            Vocabulary vocabulary = ReberTask.CreateVocabulary();
            LanguageModelConfig config = configOptions.Resolve(parseResult, ReberTask.DefaultConfig(vocabulary)) with { VocabSize = vocabulary.Count };
            int[] train = ReberTask.GenerateTokens(count, config.Seed, vocabulary);
            int[] valid = ReberTask.GenerateTokens(Math.Max(200, count / 10), config.Seed + 1, vocabulary);
            var model = new LanguageModel(config);
            string runDirectory = TrainingSession.RunDirectory(parseResult.GetValue(run), "reber");
            AnsiConsole.MarkupLine($"[bold]Embedded Reber grammar[/]: {count:N0} generated strings ({train.Length:N0} symbols); " +
                $"{config.NumLayers} × {config.HiddenSize} {config.Cell}, {config.Optimizer} lr {config.LearningRate}, {config.MaxMaxEpoch} epochs. Run folder: {Markup.Escape(runDirectory)}");
            var task = new LanguageModelTask("char", model, vocabulary.ToJson(), train, valid,
                presentation: new TaskPresentation("symbols", LossDisplay.Bits, $"Reber grammar: {config.NumLayers} × {config.HiddenSize} {config.Cell}", []));
            var monitor = new ConsoleTrainingMonitor(task.Presentation);
            var trainer = new Trainer(task, new TrainerOptions { RunDirectory = runDirectory }, monitor);
            if (TrainingSession.Run(trainer, monitor) == TrainingOutcome.Stopped) return TrainingSession.StoppedExitCode;
            ReberScore score = ReberTask.Evaluate(model, vocabulary, 1000, config.Seed + 2);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("on 1,000 new strings").AddColumn(new TableColumn("accuracy").RightAligned());
            table.AddRow("most probable next symbol is allowed by the grammar", score.LegalAccuracy.ToString("P1"));
            table.AddRow("second-to-last symbol (must repeat the second: needs memory)", score.MemoryAccuracy.ToString("P1"));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("A model without memory gets the second-to-last symbol right half the time (it is T or P with equal odds).");
            return 0;
        });
        return reber;
    }
}
