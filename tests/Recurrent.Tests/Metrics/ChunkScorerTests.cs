using Recurrent.Metrics;

namespace Recurrent.Tests.Metrics;

public class ChunkScorerTests
{
    private static ChunkScores Score(string gold, string predicted, ChunkRules rules = ChunkRules.Conlleval)
    {
        var scorer = new ChunkScorer(rules);
        scorer.AddSentence(gold.Split(' '), predicted.Split(' '));
        return scorer.Result();
    }

    private static void AssertCounts(ChunkScores s, long tokens, long correctTags, long gold, long predicted, long correct)
    {
        Assert.Equal(tokens, s.Tokens);
        Assert.Equal(correctTags, s.CorrectTags);
        Assert.Equal(gold, s.Overall.GoldChunks);
        Assert.Equal(predicted, s.Overall.PredictedChunks);
        Assert.Equal(correct, s.Overall.CorrectChunks);
    }

    [Fact]
    public void AnIAfterOStartsAChunk()
    {
        // Predicted I-NP at the start (after the implicit O) opens NP[0,1], the same span as gold's B-NP I-NP, so the
        // chunk is correct; the tag itself is wrong: accuracy 2/3.
        ChunkScores s = Score("B-NP I-NP O", "I-NP I-NP O");
        AssertCounts(s, tokens: 3, correctTags: 2, gold: 1, predicted: 1, correct: 1);
        Assert.Equal(100.0, s.Precision);
        Assert.Equal(100.0, s.Recall);
        Assert.Equal(100.0, s.F1);
        Assert.Equal(200.0 / 3, s.Accuracy, 1e-12);

        // The same after an O inside the sentence: gold O NP[1,2], predicted O NP[1,2].
        AssertCounts(Score("O B-NP I-NP", "O I-NP I-NP"), 3, 2, 1, 1, 1);
    }

    [Fact]
    public void ATypeChangeInsideAChunkStartsANewChunk()
    {
        // Gold NP[0,2]; predicted I-VP after I-NP starts VP[2], so predicted NP[0,1] + VP[2]. At token 2 the gold
        // chunk goes on while the predicted one ends, so NP is not correct: gold 1, predicted 2, correct 0.
        ChunkScores s = Score("B-NP I-NP I-NP", "B-NP I-NP I-VP");
        AssertCounts(s, 3, 2, 1, 2, 0);
        Assert.Equal(0.0, s.Precision);
        Assert.Equal(0.0, s.Recall);
        Assert.Equal(0.0, s.F1);
        Assert.Equal(["NP", "VP"], s.PerType.Select(t => t.Type));
        Assert.Equal((1L, 1L, 0L), (s.PerType[0].GoldChunks, s.PerType[0].PredictedChunks, s.PerType[0].CorrectChunks));
        Assert.Equal((0L, 1L, 0L), (s.PerType[1].GoldChunks, s.PerType[1].PredictedChunks, s.PerType[1].CorrectChunks));

        // An (invalid) gold I-VP after B-NP is a chunk start too: gold NP[0] VP[1], predicted B-NP B-VP = the same
        // spans, so both chunks are correct (P = R = F1 = 100) while token 1's tag differs (accuracy 50 %).
        ChunkScores t = Score("B-NP I-VP", "B-NP B-VP");
        AssertCounts(t, 2, 1, 2, 2, 2);
        Assert.Equal(100.0, t.F1);
        Assert.Equal(50.0, t.Accuracy);
    }

    [Fact]
    public void AChunkAtTheEndOfASentenceEndsThere()
    {
        // Gold and predicted O NP[1,2]: the sentence break closes both, 1 correct.
        AssertCounts(Score("O B-NP I-NP", "O B-NP I-NP"), 3, 3, 1, 1, 1);

        // Two one-token sentences "B-NP" then "I-NP": the break closes NP[0] and the I-NP after it (after O)
        // opens another chunk: 2 gold chunks. Fed without the break, I-NP continues the chunk: 1 gold chunk.
        var withBreak = new ChunkScorer();
        withBreak.AddSentence(["B-NP"], ["B-NP"]);
        withBreak.AddSentence(["I-NP"], ["B-NP"]);
        AssertCounts(withBreak.Result(), 2, 1, 2, 2, 2);
        var withoutBreak = new ChunkScorer();
        withoutBreak.AddToken("B-NP", "B-NP");
        withoutBreak.AddToken("I-NP", "B-NP");
        // Gold NP[0,1], predicted NP[0] NP[1]; still open at the end of the input, nothing correct.
        AssertCounts(withoutBreak.Result(), 2, 1, 1, 2, 0);
    }

    [Fact]
    public void AChunkOpenAtTheEndOfTheInputCountsAndReadingTheResultChangesNothing()
    {
        var scorer = new ChunkScorer();
        scorer.AddToken("B-NP", "B-NP");
        scorer.AddToken("I-NP", "I-NP");
        // No break yet: conlleval counts the open correct chunk at end of file.
        AssertCounts(scorer.Result(), 2, 2, 1, 1, 1);
        AssertCounts(scorer.Result(), 2, 2, 1, 1, 1);
        Assert.Equal(1, scorer.Result().PerType.Single().CorrectChunks);
        // The chunk goes on: predicted B-NP now ends the predicted NP[0,1] where the gold NP continues.
        scorer.AddToken("I-NP", "B-NP");
        scorer.EndSentence();
        // Gold NP[0,2]; predicted NP[0,1], NP[2]: 1 gold, 2 predicted, 0 correct.
        AssertCounts(scorer.Result(), 3, 2, 1, 2, 0);
    }

    [Fact]
    public void WrongBoundariesAreNotCorrect()
    {
        // Predicted chunk longer than the gold one: gold NP[0], predicted NP[0,1].
        AssertCounts(Score("B-NP O", "B-NP I-NP"), 2, 1, 1, 1, 0);
        // Predicted chunk split in two: gold NP[0,1], predicted NP[0] NP[1].
        AssertCounts(Score("B-NP I-NP", "B-NP B-NP"), 2, 1, 1, 2, 0);
        // Same span, wrong type: gold NP[0,1], predicted VP[0,1].
        ChunkScores s = Score("B-NP I-NP", "B-VP I-VP");
        AssertCounts(s, 2, 0, 1, 1, 0);
        Assert.Equal(["NP", "VP"], s.PerType.Select(t => t.Type));
    }

    [Fact]
    public void IoeTagsFollowTheEndRules()
    {
        // IOE2: gold I-NP E-NP | E-NP = NP[0,1] NP[2] (E→E ends and starts); predicted I-NP I-NP E-NP = NP[0,2].
        // At token 2 the gold chunk ends and the predicted one does not: 2 gold, 1 predicted, 0 correct.
        // Tags: token 1 differs (E vs I): accuracy 2/3.
        AssertCounts(Score("I-NP E-NP E-NP", "I-NP I-NP E-NP"), 3, 2, 2, 1, 0);
    }

    [Fact]
    public void IobesTagsNeedTheIobesRules()
    {
        // conlleval.pl knows no S: S-NP S-NP is one chunk (only the type change from O's "" starts it).
        AssertCounts(Score("S-NP S-NP", "S-NP S-NP"), 2, 2, 1, 1, 1);
        AssertCounts(Score("S-NP S-NP", "S-NP S-NP", ChunkRules.Iobes), 2, 2, 2, 2, 2);
        // Nor does E→B of one type end or start a chunk: B-NP E-NP B-NP E-NP is one chunk, two under IOBES rules.
        AssertCounts(Score("B-NP E-NP B-NP E-NP", "B-NP E-NP B-NP E-NP"), 4, 4, 1, 1, 1);
        AssertCounts(Score("B-NP E-NP B-NP E-NP", "B-NP E-NP B-NP E-NP", ChunkRules.Iobes), 4, 4, 2, 2, 2);
        // IOBES rules: gold NP[0,2] S-VP[3]; predicted B-NP E-NP = NP[0,1], S-NP[2], S-VP[3].
        // NP[0,1] ends at token 2 where gold goes on (I-NP): not correct. VP[3] is correct. gold 2, predicted 3, correct 1.
        AssertCounts(Score("B-NP I-NP E-NP S-VP", "B-NP E-NP S-NP S-VP", ChunkRules.Iobes), 4, 2, 2, 3, 1);
        // On BIO tags both rule sets agree.
        Assert.Equal(Score("B-NP I-NP O I-VP B-PP", "B-NP B-NP I-VP I-VP O").ToString(),
            Score("B-NP I-NP O I-VP B-PP", "B-NP B-NP I-VP I-VP O", ChunkRules.Iobes).ToString());
    }

    [Fact]
    public void BracketTagsAreOneTokenChunks()
    {
        // "[" and "]" each start a chunk that ends at the next token; "." neither starts nor ends one.
        // [-NP .-NP ]-NP O: chunks at tokens 0 and 2. Gold = predicted: 2 / 2 / 2.
        AssertCounts(Score("[-NP .-NP ]-NP O", "[-NP .-NP ]-NP O"), 4, 4, 2, 2, 2);
        // "." of another type after "[" does not start a chunk ("." is exempt from the type-change rule).
        AssertCounts(Score("[-NP .-VP", "[-NP .-NP"), 2, 1, 1, 1, 1);
    }

    [Fact]
    public void TagsWithoutAHyphenFormNoChunks()
    {
        // POS tags: the whole tag is the prefix and the type is empty, so only accuracy means anything.
        ChunkScores s = Score("DT NN VBZ", "DT NN NNS");
        AssertCounts(s, 3, 2, 0, 0, 0);
        Assert.Equal(0.0, s.F1);
        Assert.Empty(s.PerType);
        // Hyphens after the first belong to the type; a type "0" is no type (Perl's "0" is false).
        ChunkScores h = Score("B-ADJ-X I-ADJ-X", "B-ADJ-X I-ADJ-X");
        Assert.Equal("ADJ-X", h.PerType.Single().Type);
        ChunkScores z = Score("B-0 I-0", "B I");
        AssertCounts(z, 2, 2, 1, 1, 1);
        Assert.Equal("", z.PerType.Single().Type);
    }

    [Fact]
    public void ConllevalLinesWithEmptyAndBoundaryLines()
    {
        var scorer = new ChunkScorer();
        foreach (string line in new[]
        {
            "", // a break before anything: sets no column count
            "He PRP B-NP B-NP",
            "reckons VBZ B-VP I-VP",
            "-X- -X- B-NP B-NP", // a boundary whatever its tags: not a token, not a chunk
            "the DT I-NP B-NP",  // I-NP after the break starts a chunk
            "deficit NN I-NP I-NP ",  // a trailing delimiter is dropped, as by Perl's split
            "   ",
        })
            scorer.AddLine(line);
        // Gold NP[He] VP[reckons] NP[the deficit]; predicted NP[He], VP[reckons] (I-VP after B-NP: type change),
        // NP[the deficit]. All three correct. Tags: reckons B vs I and the I vs B differ: 2 of 4.
        ChunkScores s = scorer.Result();
        AssertCounts(s, 4, 2, 3, 3, 3);
        Assert.Equal(50.0, s.Accuracy);
        var e = Assert.Throws<RecurrentException>(() => scorer.AddLine("a b c"));
        Assert.Contains("3 fields where the first had 4", e.Message);
        var single = new ChunkScorer();
        Assert.Throws<RecurrentException>(() => single.AddLine("lonely"));
    }

    [Fact]
    public void ReportHasConllevalsLayout()
    {
        var scorer = new ChunkScorer();
        scorer.AddSentence(["B-NP", "I-NP", "B-VP", "O"], ["B-NP", "I-NP", "B-PP", "O"]);
        // Gold NP VP; predicted NP PP: 1 correct of 2 / 2. Accuracy 3/4.
        Assert.Equal(
            "processed 4 tokens with 2 phrases; found: 2 phrases; correct: 1.\n" +
            "accuracy:  75.00%; precision:  50.00%; recall:  50.00%; FB1:  50.00\n" +
            "               NP: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n" +
            "               PP: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n" +
            "               VP: precision:   0.00%; recall:   0.00%; FB1:   0.00  0\n",
            scorer.Result().ToString());
        scorer.Reset();
        Assert.Equal("processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.\n", scorer.Result().ToString());
    }

    [Fact]
    public void ReportRepeatsTheUntypedLineAsConllevalDoes()
    {
        // Untyped chunks in both gold (B I = one chunk) and predicted (B = one chunk): conlleval prints the "" type
        // twice, since its de-duplication tests the previous name for truth and "" is false in Perl.
        string[] lines = Score("B I O", "B O O").ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("                 : precision:   0.00%; recall:   0.00%; FB1:   0.00  1", lines[2]);
        Assert.Equal(lines[2], lines[3]);
        Assert.Equal(3, Score("B I O", "O O O").ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    // A longer example: three sentences of CoNLL-2000-style IOB2 tags with the usual kinds of error.
    private static readonly (string Gold, string Predicted)[] Sentences =
    [
        // Confidence in the pound is widely expected to take another sharp dive
        ("B-NP B-PP B-NP I-NP B-VP I-VP I-VP I-VP I-VP B-NP I-NP I-NP I-NP",
         "B-NP B-PP B-NP I-NP B-VP B-ADVP B-VP I-VP I-VP B-NP I-NP I-NP I-NP"),
        // if trade figures for September , due for release tomorrow , fail to show a substantial improvement
        ("B-SBAR B-NP I-NP B-PP B-NP O B-ADJP B-PP B-NP B-NP O B-VP I-VP I-VP B-NP I-NP I-NP",
         "B-SBAR B-NP I-NP B-PP B-NP O B-ADJP B-PP B-NP I-NP O B-VP I-VP I-VP B-NP I-NP B-NP"),
        // from July and August 's near-record deficits .
        ("B-PP B-NP I-NP I-NP B-NP I-NP I-NP O",
         "B-PP B-NP I-NP I-NP I-NP I-NP I-NP O"),
    ];

    /// <summary>
    /// An independent count for valid BIO gold and any predicted tags: the chunks of each side as (type, first, last)
    /// spans, read left to right (a chunk starts at B-X, or at I-X when the previous token is not of type X; it
    /// extends over following I-X), and correct = |gold spans ∩ predicted spans|.
    /// </summary>
    private static HashSet<(string, int, int)> Spans(string[] tags)
    {
        var spans = new HashSet<(string, int, int)>();
        string Type(int i) => tags[i] == "O" ? "" : tags[i][2..];
        for (int i = 0; i < tags.Length; i++)
        {
            if (tags[i] == "O") continue;
            bool starts = tags[i][0] == 'B' || i == 0 || Type(i - 1) != Type(i);
            if (!starts) continue;
            int end = i;
            while (end + 1 < tags.Length && tags[end + 1][0] == 'I' && Type(end + 1) == Type(i)) end++;
            spans.Add((Type(i), i, end));
        }
        return spans;
    }

    [Fact]
    public void LongerExampleMatchesHandCountsAndSpanMatching()
    {
        var scorer = new ChunkScorer();
        foreach (var (g, p) in Sentences) scorer.AddSentence(g.Split(' '), p.Split(' '));
        ChunkScores s = scorer.Result();

        // By hand. Sentence 1: gold NP PP NP VP[4-8] NP[9-12] = 5; predicted NP PP NP VP[4] ADVP[5] VP[6-8] NP[9-12]
        // = 7; correct NP PP NP NP = 4. Sentence 2: gold SBAR NP PP NP ADJP PP NP NP[9] VP NP[14-16] = 10; predicted
        // SBAR NP PP NP ADJP PP NP[8-9] VP NP[14-15] NP[16] = 10; correct SBAR NP PP NP ADJP PP VP = 7.
        // Sentence 3: gold PP NP[1-3] NP[4-6] = 3; predicted PP NP[1-6] = 2; correct PP = 1.
        // Totals: gold 18, predicted 19, correct 12. Tokens 13 + 17 + 8 = 38; wrong tags: 2 + 2 + 1 = 5, so 33 right.
        AssertCounts(s, 38, 33, 18, 19, 12);
        Assert.Equal(100.0 * 12 / 19, s.Precision, 1e-12);
        Assert.Equal(100.0 * 12 / 18, s.Recall, 1e-12);
        Assert.Equal(2 * 12.0 / (18 + 19) * 100, s.F1, 1e-9); // F1 = 2·correct / (gold + predicted)
        Assert.Equal(100.0 * 33 / 38, s.Accuracy, 1e-12);
        // Per type, by hand: NP gold 3 + 5 + 2 = 10, predicted 3 + 5 + 1 = 9, correct 3 + 2 + 0 = 5; PP 4/4/4; VP 2/3/1; SBAR 1/1/1; ADJP 1/1/1; ADVP 0/1/0.
        Assert.Equal(["ADJP", "ADVP", "NP", "PP", "SBAR", "VP"], s.PerType.Select(t => t.Type));
        Assert.Equal([(1L, 1L, 1L), (0, 1, 0), (10, 9, 5), (4, 4, 4), (1, 1, 1), (2, 3, 1)],
            s.PerType.Select(t => (t.GoldChunks, t.PredictedChunks, t.CorrectChunks)));

        // The same totals from span matching.
        long gold = 0, predicted = 0, correct = 0, tokens = 0, right = 0;
        foreach (var (g, p) in Sentences)
        {
            string[] gt = g.Split(' '), pt = p.Split(' ');
            var gs = Spans(gt);
            var ps = Spans(pt);
            gold += gs.Count;
            predicted += ps.Count;
            gs.IntersectWith(ps);
            correct += gs.Count;
            tokens += gt.Length;
            right += gt.Zip(pt).Count(z => z.First == z.Second);
        }
        AssertCounts(s, tokens, right, gold, predicted, correct);
    }
}
