using System.CommandLine;
using System.Text.Json;
using Recurrent.Interop;
using Recurrent.Models;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent import pytorch FILE.safetensors --kind … --vocab FILE --out CKPT</c>: a PyTorch state dict becomes one of our checkpoints.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var import = new Command("import", "Turn models trained elsewhere into Recurrent checkpoints.");
        import.Subcommands.Add(CreatePyTorch());
        return import;
    }

    private static Command CreatePyTorch()
    {
        var file = new Argument<string>("file") { Description = "The state_dict() of nn.Embedding (optional), nn.LSTM/nn.GRU/nn.RNN and nn.Linear, saved as safetensors." };
        var kind = new Option<string>("--kind") { Description = "What the model is: word, char or classifier.", Required = true };
        var vocab = new Option<string>("--vocab") { Description = "The tokens in id order: a JSON array, or a text file with one token per line.", Required = true };
        var output = new Option<string>("--out") { Description = "The checkpoint to write.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Classifier: class names in id order, comma-separated or a file (JSON array or one per line). Default: 0, 1, …" };
        var head = new Option<ClassifierHead>("--head") { Description = "Classifier: what its forward pooled: last, mean, max or bilast (both directions' final states).", DefaultValueFactory = _ => ClassifierHead.Last };
        var embedding = new Option<string?>("--embedding") { Description = "Name of the nn.Embedding in the state dict, when the shapes leave it open." };
        var rnn = new Option<string?>("--rnn") { Description = "Name of the nn.LSTM/GRU/RNN, when the state dict holds several." };
        var linear = new Option<string?>("--output") { Description = "Name of the output nn.Linear, when the shapes leave it open." };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };

        var command = new Command("pytorch", "Import a PyTorch embedding → LSTM/GRU/RNN → linear model saved as safetensors (sizes from the tensor shapes; gates reordered to ours).");
        command.Arguments.Add(file);
        foreach (Option option in (Option[])[kind, vocab, output, labels, head, embedding, rnn, linear, force]) command.Options.Add(option);
        command.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            string target = parseResult.GetValue(output)!;
            if (File.Exists(target) && !parseResult.GetValue(force))
                throw new RecurrentException($"--out {target} exists; pass --force to overwrite it.");
            var options = new PyTorchImportOptions
            {
                Kind = parseResult.GetValue(kind)!,
                Vocabulary = ReadList(parseResult.GetValue(vocab)!, "--vocab", allowInline: false),
                Labels = parseResult.GetValue(labels) is { } l ? ReadList(l, "--labels", allowInline: true) : null,
                Head = parseResult.GetValue(head),
                Embedding = parseResult.GetValue(embedding),
                Rnn = parseResult.GetValue(rnn),
                Output = parseResult.GetValue(linear),
            };
            PyTorchImportResult result = PyTorchImport.Import(parseResult.GetValue(file)!, options);
            result.Save(target);
            AnsiConsole.MarkupLine(Markup.Escape($"Imported {result.Summary}: a {result.Kind} model of {result.Model.CountParameters():N0} parameters → {target}"));
            return 0;
        });
        return command;
    }

    /// <summary>A JSON array of strings, a file of one entry per line, or (for labels) a comma-separated list.</summary>
    private static string[] ReadList(string value, string option, bool allowInline)
    {
        if (!File.Exists(value))
        {
            if (allowInline) return value.Split(',', StringSplitOptions.TrimEntries);
            throw new RecurrentException($"{option}: file '{value}' does not exist.");
        }
        string text = File.ReadAllText(value);
        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<string[]>(text) ?? [];
            }
            catch (JsonException e)
            {
                throw new RecurrentException($"{option}: {value} starts like a JSON array but is not one of strings ({e.Message}).");
            }
        }
        string[] lines = text.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length; // a final newline ends the last line
        var entries = new string[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = lines[i].TrimEnd('\r');
            if (entries[i].Length == 0) throw new RecurrentException($"{option}: {value} line {i + 1} is empty; every line is one entry (use a JSON array for tokens that are spaces or line breaks).");
        }
        return entries;
    }
}
