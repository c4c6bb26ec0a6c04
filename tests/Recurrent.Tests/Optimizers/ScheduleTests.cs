using Recurrent.Optimizers;

namespace Recurrent.Tests.Optimizers;

public class ScheduleTests
{
    [Fact]
    public void PtbSmallScheduleHalvesAfterEpochFour()
    {
        // ptb_word_lm.py SmallConfig: learning_rate 1.0, max_epoch 4, lr_decay 0.5, max_max_epoch 13.
        var schedule = new StepDecaySchedule(1.0f, 4, 0.5f);
        float[] expected = [1, 1, 1, 1, 0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f, 0.015625f, 0.0078125f, 0.00390625f, 0.001953125f];
        Assert.Equal(expected, Enumerable.Range(0, 13).Select(schedule.LearningRate).ToArray());
    }

    [Fact]
    public void StepDecayMatchesFormulaForOtherConfigs()
    {
        // Medium: lr 1.0, max_epoch 6, decay 0.8; large: max_epoch 14, decay 1/1.15.
        foreach ((int maxEpoch, float decay) in new[] { (6, 0.8f), (14, 1 / 1.15f) })
        {
            var s = new StepDecaySchedule(1f, maxEpoch, decay);
            for (int e = 0; e < 40; e++)
                Assert.Equal((float)Math.Pow(decay, Math.Max(e + 1 - maxEpoch, 0)), s.LearningRate(e));
        }
    }

    [Fact]
    public void PlateauDecaysAfterPatienceRunsOut()
    {
        var s = new PlateauSchedule(1f, factor: 0.5f, patience: 1, threshold: 0.01);
        Assert.False(s.Report(10));   // first report sets the best
        Assert.False(s.Report(9));    // improved by 10%
        Assert.False(s.Report(8.95)); // < 1% better: bad report 1 (patience 1 allows it)
        Assert.Equal(1, s.BadReports);
        Assert.True(s.Report(9.5));   // bad report 2 > patience: decay
        Assert.Equal(0.5f, s.LearningRate);
        Assert.Equal(0, s.BadReports);
        Assert.Equal(9, s.Best);
        Assert.False(s.Report(8));    // improvement resets
        Assert.False(s.Report(8));
        Assert.True(s.Report(8));
        Assert.Equal(0.25f, s.LearningRate);
    }

    [Fact]
    public void PlateauRespectsMinimumRateAndRoundTripsState()
    {
        var s = new PlateauSchedule(1f, factor: 0.1f, patience: 0, minimumRate: 0.05f);
        s.Report(1);
        Assert.True(s.Report(2));
        Assert.Equal(0.1f, s.LearningRate, 1e-7f);
        Assert.True(s.Report(2));
        Assert.Equal(0.05f, s.LearningRate);
        Assert.False(s.Report(2)); // already at the floor
        Assert.Equal(0.05f, s.LearningRate);

        PlateauState state = s.GetState();
        var restored = new PlateauSchedule(1f, factor: 0.1f, patience: 0, minimumRate: 0.05f);
        restored.SetState(state);
        Assert.Equal(state, restored.GetState());
        Assert.Equal(s.Report(0.5), restored.Report(0.5));
        Assert.Equal(s.GetState(), restored.GetState());
        Assert.Throws<RecurrentException>(() => restored.SetState(new PlateauState(-1f, 1, 0)));
    }
}
