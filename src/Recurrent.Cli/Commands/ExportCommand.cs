using System.CommandLine;
using Recurrent.Interop;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent export MODEL --onnx FILE [--mode sequence|step]</c>: a checkpoint as an ONNX model.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A checkpoint file or a run folder (its best checkpoint, else its last)." };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write (opset 17).", Required = true };
        var mode = new Option<OnnxExportMode>("--mode")
        {
            Description = "Language models: sequence (tokens [steps, batch] → logits [steps, batch, vocab]) or step (tokens [batch] → logits [batch, vocab]); both take and return the state.",
            DefaultValueFactory = _ => OnnxExportMode.Sequence,
        };
        var command = new Command("export", "Export a checkpoint (word or char LM, classifier, tagger emissions) to ONNX, to run it with ONNX Runtime or other ONNX tools.");
        command.Arguments.Add(model);
        command.Options.Add(onnx);
        command.Options.Add(mode);
        command.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = TrainingSession.LoadAnyModel(parseResult.GetValue(model)!);
            string path = parseResult.GetValue(onnx)!;
            OnnxExportResult result = OnnxExport.Export(loaded, path, parseResult.GetValue(mode));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("name").AddColumn("type").AddColumn("shape").AddColumn("holds");
            foreach ((string side, IReadOnlyList<OnnxValueInfo> values) in new[] { ("input", result.Inputs), ("output", result.Outputs) })
                foreach (OnnxValueInfo v in values)
                    table.AddRow(side, Markup.Escape(v.Name), v.ElementType, Markup.Escape(v.Shape), Markup.Escape(v.Description));
            AnsiConsole.MarkupLine(Markup.Escape($"{loaded.Path} ({loaded.Kind}) → {path} ({result.Bytes / 1048576.0:F1} MiB, ONNX opset 17)"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
