using System.CommandLine;
using Recurrent.Text;

namespace Recurrent.Cli.Commands;

/// <summary>The sampling options shared by <c>lm generate</c> and <c>char sample</c>.</summary>
public sealed class SamplingOptions
{
    /// <param name="tokenName">"words" or "characters", for the help text.</param>
    /// <param name="lengthDescription">Help text of <c>--length</c>.</param>
    /// <param name="defaultLength">How many tokens <c>--length</c> generates by default.</param>
    public SamplingOptions(string tokenName, string lengthDescription, int defaultLength)
    {
        Length = new Option<int>("--length") { Description = lengthDescription, DefaultValueFactory = _ => defaultLength };
        TopK = new Option<int>("--top-k") { Description = $"Draw only among the k most probable {tokenName} (0: all).", DefaultValueFactory = _ => 0 };
        Greedy = new Option<bool>("--greedy") { Description = $"Always take the most probable {tokenName[..^1]}." };
    }

    public Option<int> Length { get; }
    public Option<float> Temperature { get; } = new("--temperature") { Description = "Below 1 sharpens (towards greedy), above 1 flattens the model's distribution.", DefaultValueFactory = _ => 1f };
    public Option<int> TopK { get; }
    public Option<bool> Greedy { get; }
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Sampling seed: the same seed gives the same text.", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        command.Options.Add(Length);
        command.Options.Add(Temperature);
        command.Options.Add(TopK);
        command.Options.Add(Greedy);
        command.Options.Add(Seed);
    }

    /// <summary>The number of tokens to generate, checked.</summary>
    public int GetLength(ParseResult result)
    {
        int count = result.GetValue(Length);
        if (count < 0) throw new RecurrentException($"--length must be zero or positive, got {count}.");
        return count;
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
