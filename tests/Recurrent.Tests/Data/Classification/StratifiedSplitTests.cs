using Recurrent.Data.Classification;

namespace Recurrent.Tests.Data.Classification;

public class StratifiedSplitTests
{
    private static int[] Labels(params int[] countPerLabel)
    {
        // Interleaved so that the indices of a label are not one block.
        var labels = new List<int>();
        for (int round = 0; labels.Count < countPerLabel.Sum(); round++)
            for (int c = 0; c < countPerLabel.Length; c++)
                if (round < countPerLabel[c]) labels.Add(c);
        return [.. labels];
    }

    private static int[] CountPerLabel(int[] labels, int[] indices, int labelCount)
    {
        var counts = new int[labelCount];
        foreach (int i in indices) counts[labels[i]]++;
        return counts;
    }

    [Fact]
    public void KeepsEachLabelsShareAndCoversEveryExampleOnce()
    {
        int[] labels = Labels(500, 300, 200);
        SplitIndices split = StratifiedSplit.Split(labels, 3, 0.1, seed: 7);
        Assert.Equal([50, 30, 20], CountPerLabel(labels, split.Validation, 3));
        Assert.Equal([450, 270, 180], CountPerLabel(labels, split.Train, 3));
        Assert.Equal(Enumerable.Range(0, labels.Length), split.Train.Concat(split.Validation).Order());
        Assert.Equal(split.Train.Order(), split.Train);
        Assert.Equal(split.Validation.Order(), split.Validation);
    }

    [Fact]
    public void LargestRemainderHitsTheRoundedTotal()
    {
        // 0.25 × (7, 7, 6) = (1.75, 1.75, 1.5): floors 1 + 1 + 1 = 3, the total round(0.25 × 20) = 5, so the two
        // largest remainders (labels 0 and 1) get one more each.
        int[] labels = Labels(7, 7, 6);
        SplitIndices split = StratifiedSplit.Split(labels, 3, 0.25, seed: 1);
        Assert.Equal([2, 2, 1], CountPerLabel(labels, split.Validation, 3));

        // 0.5 × (3, 3, 3) = 1.5 each, total round(4.5) = 5 (half away from zero): the tie goes to the lower ids.
        labels = Labels(3, 3, 3);
        split = StratifiedSplit.Split(labels, 3, 0.5, seed: 1);
        Assert.Equal([2, 2, 1], CountPerLabel(labels, split.Validation, 3));
    }

    [Fact]
    public void EveryLabelKeepsATrainingExample()
    {
        int[] labels = Labels(1, 10);
        SplitIndices split = StratifiedSplit.Split(labels, 2, 0.5, seed: 3);
        Assert.Equal([0, 5], CountPerLabel(labels, split.Validation, 2));
        Assert.Equal([1, 5], CountPerLabel(labels, split.Train, 2));
    }

    [Fact]
    public void SeededAndDeterministic()
    {
        int[] labels = Labels(100, 100);
        SplitIndices a = StratifiedSplit.Split(labels, 2, 0.2, seed: 42);
        SplitIndices b = StratifiedSplit.Split(labels, 2, 0.2, seed: 42);
        SplitIndices c = StratifiedSplit.Split(labels, 2, 0.2, seed: 43);
        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(a.Train, b.Train);
        Assert.NotEqual(a.Validation, c.Validation);
        // Not simply the first examples of each label.
        Assert.NotEqual(Enumerable.Range(0, 40), a.Validation);
    }

    [Fact]
    public void FractionBounds()
    {
        int[] labels = Labels(5, 5);
        SplitIndices none = StratifiedSplit.Split(labels, 2, 0, seed: 1);
        Assert.Empty(none.Validation);
        Assert.Equal(10, none.Train.Length);
        Assert.Contains("validation fraction", Assert.Throws<RecurrentException>(() => StratifiedSplit.Split(labels, 2, 1, 1)).Message);
        Assert.Throws<RecurrentException>(() => StratifiedSplit.Split(labels, 2, -0.1, 1));
        Assert.Throws<RecurrentException>(() => StratifiedSplit.Split(labels, 2, double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Split([0, 2], 2, 0.1, 1));
    }
}
