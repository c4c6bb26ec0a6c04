using System.CommandLine;
using Recurrent.Text;

namespace Recurrent.Cli.Commands;

/// <summary>The sampling options shared by <c>lm generate</c> and <c>char sample</c>.</summary>
public sealed class SamplingOptions
{
    public SamplingOptions(string tokenName)
    {
        TopK = new Option<int>("--top-k") { Description = $"Draw only among the k most probable {tokenName} (0: all).", DefaultValueFactory = _ => 0 };
        Greedy = new Option<bool>("--greedy") { Description = $"Always take the most probable {tokenName[..^1]}." };
    }

    public Option<float> Temperature { get; } = new("--temperature") { Description = "Below 1 sharpens (towards greedy), above 1 flattens the model's distribution.", DefaultValueFactory = _ => 1f };
    public Option<int> TopK { get; }
    public Option<bool> Greedy { get; }
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Sampling seed: the same seed gives the same text.", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        command.Options.Add(Temperature);
        command.Options.Add(TopK);
        command.Options.Add(Greedy);
        command.Options.Add(Seed);
    }

    /// <summary>A sampler configured from the options, with their values checked.</summary>
    public TokenSampler CreateSampler(ParseResult result)
    {
        float temperature = result.GetValue(Temperature);
        if (!(temperature > 0) || !float.IsFinite(temperature)) throw new RecurrentException($"--temperature must be a positive number, got {temperature}.");
        int topK = result.GetValue(TopK);
        if (topK < 0) throw new RecurrentException($"--top-k must be zero (all) or positive, got {topK}.");
        return new TokenSampler(result.GetValue(Seed), temperature, topK, result.GetValue(Greedy));
    }
}
