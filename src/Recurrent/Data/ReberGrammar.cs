using Recurrent.Tensors;

namespace Recurrent.Data;

/// <summary>
/// Reber's finite-state grammar and its embedded form (Hochreiter and Schmidhuber, 1997), the classic
/// test that a recurrent network can remember: in an embedded string <c>B T &lt;reber&gt; T E</c> or
/// <c>B P &lt;reber&gt; P E</c>, the second-to-last symbol repeats the second one across an inner string
/// of any length, so predicting it needs memory that a model without recurrence does not have.
/// </summary>
internal static class ReberGrammar
{
    /// <summary>The seven symbols, in id order.</summary>
    public const string Alphabet = "BTPSXVE";

    // Transitions of the inner grammar after its initial B: state -> (symbol, next state) for the two
    // choices, taken with equal probability. State 5 emits E and ends (next state -1).
    private static readonly (char Symbol, int Next)[][] Transitions =
    [
        [('T', 1), ('P', 2)],
        [('S', 1), ('X', 3)],
        [('T', 2), ('V', 4)],
        [('X', 2), ('S', 5)],
        [('P', 3), ('V', 5)],
        [('E', -1)],
    ];

    /// <summary>One string of the inner grammar, from B to E.</summary>
    public static string Generate(RandomGenerator random)
    {
        var text = new System.Text.StringBuilder("B");
        int state = 0;
        while (state >= 0)
        {
            (char Symbol, int Next)[] choices = Transitions[state];
            (char symbol, int next) = choices[choices.Length == 1 ? 0 : random.NextInt(choices.Length)];
            text.Append(symbol);
            state = next;
        }
        return text.ToString();
    }

    /// <summary>One embedded string: B, T or P, an inner string, the same T or P, E.</summary>
    public static string GenerateEmbedded(RandomGenerator random)
    {
        char branch = random.NextInt(2) == 0 ? 'T' : 'P';
        return $"B{branch}{Generate(random)}{branch}E";
    }

    /// <summary>
    /// A corpus of <paramref name="count"/> embedded strings, one per line, ready for a character model.
    /// </summary>
    public static string GenerateEmbeddedCorpus(int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++) text.Append(GenerateEmbedded(random)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The symbols the embedded grammar allows after <paramref name="prefix"/> (a proper prefix of an
    /// embedded string). Used to score a model's predictions as Hochreiter and Schmidhuber did.
    /// </summary>
    public static string LegalNext(ReadOnlySpan<char> prefix)
    {
        if (prefix.Length == 0) return "B";
        if (prefix.Length == 1) return "TP";
        char branch = prefix[1];
        // States of the walk: AwaitInner before the inner B, 0..5 inside the inner automaton,
        // InnerDone once the inner E is read (the branch symbol must repeat), AwaitEnd after it (only E).
        const int AwaitInner = -3, InnerDone = -1, AwaitEnd = -4;
        int state = AwaitInner;
        for (int i = 2; i < prefix.Length; i++)
        {
            char c = prefix[i];
            int next = state switch
            {
                AwaitInner => c == 'B' ? 0 : -2,
                InnerDone => c == branch ? AwaitEnd : -2,
                AwaitEnd => -2, // the string is complete: nothing is a proper prefix beyond it
                _ => Step(state, c),
            };
            if (next == -2) throw new ArgumentException($"'{prefix}' is not a proper prefix of an embedded Reber string.");
            state = next;
        }
        if (state == AwaitInner) return "B";
        if (state == InnerDone) return branch.ToString();
        if (state == AwaitEnd) return "E";
        var legal = new System.Text.StringBuilder();
        foreach ((char symbol, _) in Transitions[state]) legal.Append(symbol);
        return legal.ToString();
    }

    private static int Step(int state, char symbol)
    {
        foreach ((char s, int to) in Transitions[state])
            if (s == symbol) return to;
        return -2;
    }
}
