namespace Recurrent.Models;

/// <summary>What <see cref="TextClassifier.Predict(string)"/> found for one text.</summary>
/// <param name="Label">The most probable class's name.</param>
/// <param name="Class">Its index in <see cref="TextClassifier.Labels"/>.</param>
/// <param name="Probabilities">Every class's probability, in class order (they sum to 1).</param>
public sealed record ClassPrediction(string Label, int Class, IReadOnlyList<float> Probabilities)
{
    /// <summary>The probability of the predicted class.</summary>
    public float Probability => Probabilities[Class];
}
