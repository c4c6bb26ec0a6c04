using Recurrent.Data.Labelling;
using Recurrent.Metrics;
using Recurrent.Tensors;

namespace Recurrent.Tests.Data.Labelling;

public class ChunkTagsTests
{
    [Fact]
    public void ConvertsBetweenBioAndIobes()
    {
        string[] bio = "B-NP I-NP I-NP O B-VP B-NP I-PP".Split(' ');
        // NP[0-2] → B I E; VP[4] → S; NP[5] → S; I-PP after B-NP starts PP[6] → S.
        Assert.Equal("B-NP I-NP E-NP O S-VP S-NP S-PP".Split(' '), ChunkTags.BioToIobes(bio));
        Assert.Equal("B-NP I-NP I-NP O B-VP B-NP B-PP".Split(' '), ChunkTags.IobesToBio(ChunkTags.BioToIobes(bio)));
        // An I- after O starts a chunk, as in conlleval; the round trip makes it B-.
        Assert.Equal("O B-NP E-NP".Split(' '), ChunkTags.BioToIobes("O I-NP I-NP".Split(' ')));
        Assert.Contains("'E-NP'", Assert.Throws<RecurrentException>(() => ChunkTags.BioToIobes(["E-NP"])).Message);
        Assert.Contains("'X'", Assert.Throws<RecurrentException>(() => ChunkTags.IobesToBio(["X"])).Message);
    }

    [Fact]
    public void ConllevalOnBioEqualsTheIobesRulesOnConvertedTags()
    {
        // Random BIO sequences, valid or not: conlleval's counts on them must equal the IOBES rules' counts on their
        // IOBES conversions (the chunks are the same), which checks the conversion and the IOBES rule set together.
        string[] tags = ["O", "B-NP", "I-NP", "B-VP", "I-VP"];
        var random = new RandomGenerator(5);
        for (int trial = 0; trial < 300; trial++)
        {
            var bio = new ChunkScorer(ChunkRules.Conlleval);
            var iobes = new ChunkScorer(ChunkRules.Iobes);
            for (int s = 0; s < 3; s++)
            {
                int n = 1 + random.NextInt(7);
                string[] gold = Enumerable.Range(0, n).Select(_ => tags[random.NextInt(tags.Length)]).ToArray();
                string[] predicted = gold.Select(g => random.NextDouble() < 0.5 ? g : tags[random.NextInt(tags.Length)]).ToArray();
                bio.AddSentence(gold, predicted);
                iobes.AddSentence(ChunkTags.BioToIobes(gold), ChunkTags.BioToIobes(predicted));
            }
            ChunkScores a = bio.Result(), b = iobes.Result();
            Assert.Equal(a.Overall, b.Overall);
            Assert.Equal(a.PerType, b.PerType);
        }
    }
}
