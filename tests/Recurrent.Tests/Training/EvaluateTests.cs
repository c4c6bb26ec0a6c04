using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Training;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Training;

/// <summary>
/// <see cref="LanguageModelTask.Evaluate"/> scores every token of each row but its first, with the state carried
/// along the row, whatever the number of steps per batch: compared with a separate loop that feeds each row one
/// token at a time through <see cref="LanguageModel.EvaluateBatch"/>.
/// </summary>
/// <remarks>
/// The two differ only in how matrix products are grouped (one step vs up to 4 at a time), so per-token losses
/// agree to float32 rounding: a few units of 2^-24 relative, well inside the 1e-6 relative bound on the mean.
/// A token skipped, counted twice or scored from the wrong state changes the mean by ~1e-2.
/// </remarks>
public class EvaluateTests
{
    private static readonly LanguageModel Model = new(TinyConfig() with { InitScale = 0.5f, Seed = 9 });

    /// <summary>Row b of the stream cut into <paramref name="batch"/> rows, fed one token at a time from a zero state.</summary>
    private static (double Sum, long Count) OneTokenAtATime(int[] tokens, int batch)
    {
        int rowLength = tokens.Length / batch;
        double sum = 0;
        long count = 0;
        for (int b = 0; b < batch; b++)
        {
            RecurrentState state = Model.CreateState(1);
            for (int t = 0; t + 1 < rowLength; t++)
            {
                int at = b * rowLength + t;
                sum += Model.EvaluateBatch([tokens[at]], [tokens[at + 1]], 1, 1, state);
                count++;
            }
        }
        return (sum, count);
    }

    [Theory]
    [InlineData(50, 1, 4)] // 49 predictions: 12 batches of 4 steps and one of 1
    [InlineData(50, 1, 7)] // 49 = 7 × 7: no partial batch
    [InlineData(50, 3, 4)] // rows of 16 (2 tokens dropped): 3 × 15 predictions, the last batch 3 steps
    [InlineData(61, 4, 5)] // rows of 15: 4 × 14
    [InlineData(9, 2, 20)] // rows of 4: a single batch shorter than num_steps
    public void ScoresEveryTokenButTheFirstOfEachRow(int length, int batch, int steps)
    {
        int[] tokens = Stream(length, seed: (ulong)(length * 100 + batch));
        (double loss, long count) = LanguageModelTask.Evaluate(Model, tokens, batch, steps);
        int rowLength = length / batch;
        Assert.Equal((long)batch * (rowLength - 1), count);
        if (batch == 1) Assert.Equal(length - 1, count);

        (double sum, long expectedCount) = OneTokenAtATime(tokens, batch);
        Assert.Equal(expectedCount, count);
        double expected = sum / expectedCount;
        Assert.True(Math.Abs(loss - expected) <= 1e-6 * expected, $"Evaluate {loss:R}, token by token {expected:R}");
    }

    [Fact]
    public void MaxBatchesLimitsTheScoredTokens()
    {
        int[] tokens = Stream(101, seed: 5);
        (_, long count) = LanguageModelTask.Evaluate(Model, tokens, 2, 5, maxBatches: 3);
        Assert.Equal(3 * 5 * 2, count);
    }

    [Fact]
    public void TooShortForTheRowsIsAClearError()
    {
        var e = Assert.Throws<RecurrentException>(() => LanguageModelTask.Evaluate(Model, [1, 2, 3], 2, 5));
        Assert.Contains("3 tokens", e.Message);
    }
}
