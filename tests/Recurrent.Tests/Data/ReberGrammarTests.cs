using Recurrent.Data;
using Recurrent.Tensors;

namespace Recurrent.Tests.Data;

public class ReberGrammarTests
{

    [Fact]
    public void EmbeddedStringsRepeatTheirBranch()
    {
        var random = new RandomGenerator(1);
        for (int i = 0; i < 500; i++)
        {
            string s = ReberGrammar.GenerateEmbedded(random);
            Assert.Equal('B', s[0]);
            Assert.Contains(s[1], "TP");
            Assert.Equal(s[1], s[^2]);
            Assert.Equal('E', s[^1]);
            Assert.Equal('B', s[2]);
            Assert.Equal('E', s[^3]);
        }
    }

    [Fact]
    public void EverySymbolOfAGeneratedStringIsLegal()
    {
        var random = new RandomGenerator(2);
        for (int i = 0; i < 500; i++)
        {
            string s = ReberGrammar.GenerateEmbedded(random);
            for (int p = 0; p < s.Length; p++)
                Assert.Contains(s[p], ReberGrammar.LegalNext(s.AsSpan(0, p)));
        }
    }

    [Fact]
    public void LegalNextFollowsTheAutomaton()
    {
        Assert.Equal("B", ReberGrammar.LegalNext(""));
        Assert.Equal("TP", ReberGrammar.LegalNext("B"));
        Assert.Equal("B", ReberGrammar.LegalNext("BT"));
        Assert.Equal("TP", ReberGrammar.LegalNext("BTB"));
        Assert.Equal("SX", ReberGrammar.LegalNext("BTBT"));
        Assert.Equal("SX", ReberGrammar.LegalNext("BTBTSS"));
        Assert.Equal("XS", ReberGrammar.LegalNext("BTBTX"));
        Assert.Equal("TV", ReberGrammar.LegalNext("BPBP"));
        Assert.Equal("PV", ReberGrammar.LegalNext("BPBPV"));
        Assert.Equal("E", ReberGrammar.LegalNext("BPBPVV"));
        Assert.Equal("P", ReberGrammar.LegalNext("BPBPVVE"));
        Assert.Equal("E", ReberGrammar.LegalNext("BPBPVVEP"));
        Assert.Throws<ArgumentException>(() => ReberGrammar.LegalNext("BPBPVVET"));
        Assert.Throws<ArgumentException>(() => ReberGrammar.LegalNext("BTBQ"));
    }

    [Fact]
    public void CorpusIsDeterministicPerSeed()
    {
        Assert.Equal(ReberGrammar.GenerateEmbeddedCorpus(50, 7), ReberGrammar.GenerateEmbeddedCorpus(50, 7));
        Assert.NotEqual(ReberGrammar.GenerateEmbeddedCorpus(50, 7), ReberGrammar.GenerateEmbeddedCorpus(50, 8));
    }
}
