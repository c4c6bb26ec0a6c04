using System.CommandLine;
using System.Text.Json;
using Recurrent.Models;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent info MODEL</c>: what a checkpoint holds, whatever its kind.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A checkpoint file or a run folder (its best checkpoint, else its last)." };
        var command = new Command("info", "Show what a checkpoint holds: its kind, architecture, vocabulary, labels and training position.");
        command.Arguments.Add(model);
        command.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = TrainingSession.LoadAnyModel(parseResult.GetValue(model)!);
            ModelKind kind = ModelRegistry.Get(loaded.Kind, loaded.Path);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
            table.HideHeaders();
            table.AddRow("file", Markup.Escape($"{loaded.Path} ({new FileInfo(loaded.Path).Length / 1048576.0:F1} MiB)"));
            table.AddRow("kind", Markup.Escape($"{loaded.Kind}: {kind.Description}"));
            table.AddRow("parameters", $"{loaded.Model.CountParameters():N0} in {loaded.Model.Parameters.Count} tensors ({loaded.Model.TrainableParameters.Count} trained)");
            if (loaded.File.Metadata.TryGetValue(ModelCheckpoint.VocabularyKey, out string? vocabulary))
                table.AddRow("vocabulary", $"{JsonDocument.Parse(vocabulary).RootElement.GetArrayLength():N0} tokens");
            if (loaded.File.Metadata.TryGetValue(ModelCheckpoint.LabelsKey, out string? labels))
                table.AddRow("labels", Markup.Escape(string.Join(", ", JsonSerializer.Deserialize<string[]>(labels) ?? [])));
            if (loaded.Position is { } p)
            {
                string best = p.BestValue is { } v ? $", best {v:G5} at epoch {p.BestEpoch}" : "";
                table.AddRow("training", Markup.Escape($"epoch {p.Epoch} of {p.Epochs} done, batch {p.Batch} of the next, {p.Step:N0} steps{best}{(p.StoppedEarly ? ", stopped early" : "")}"));
                if (p.History.Count > 0)
                {
                    EpochReport last = p.History[^1];
                    string metrics = last.ValidMetrics is { Count: > 0 } m ? ", " + string.Join(", ", m.Select(kv => $"{kv.Key} {kv.Value:F4}")) : "";
                    table.AddRow("last epoch", Markup.Escape($"train loss {last.TrainLoss:F4}, valid loss {last.ValidLoss:F4}{metrics}"));
                }
            }
            else table.AddRow("training", "weights only (no training state)");
            table.AddRow("config", Markup.Escape(loaded.Model.ConfigJson));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
