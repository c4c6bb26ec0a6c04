using System.Runtime.CompilerServices;

namespace Recurrent.Embeddings;

/// <summary>Receives each word of a sentence with its context (see <see cref="ContextWindow"/>).</summary>
internal interface IContextVisitor
{
    /// <summary>The word <paramref name="center"/> and the context words before and after it, in text order.</summary>
    void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after);
}

/// <summary>
/// word2vec's dynamic window: for each word the window is shrunk at random to a span <c>b</c> drawn uniformly
/// from <c>1 … window</c>, and the context is the words at distance <c>1 … b</c> on either side, within the sentence.
/// </summary>
/// <remarks>
/// word2vec draws <c>b' = rand % window</c> and uses <c>window − b'</c>; TensorFlow for Machine Intelligence draws
/// <c>random.randint(1, max_context)</c>: the same distribution. Nearer words are thus in the context more often
/// (distance d with probability <c>(window − d + 1) / window</c>), which weights them as word2vec intends.
/// </remarks>
internal static class ContextWindow
{
    /// <summary>The span for one word, uniform on <c>1 … window</c>, from 64 random bits (their high 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Span(int window, ulong random) => window - (int)(((random >> 32) * (ulong)(uint)window) >> 32);

    /// <summary>The positions <c>[first, last]</c> within the context of <paramref name="position"/> (itself included) for a span.</summary>
    public static (int First, int Last) Bounds(int position, int span, int length) =>
        (Math.Max(0, position - span), Math.Min(length - 1, position + span));

    /// <summary>Visits every word of <paramref name="sentence"/> with its context, drawing one span per word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Walk<TVisitor>(ReadOnlySpan<int> sentence, int window, ref FastRandom random, ref TVisitor visitor)
        where TVisitor : struct, IContextVisitor
    {
        for (int position = 0; position < sentence.Length; position++)
        {
            int span = Span(window, random.Next());
            (int first, int last) = Bounds(position, span, sentence.Length);
            visitor.Visit(sentence[position], sentence[first..position], sentence[(position + 1)..(last + 1)]);
        }
    }
}
