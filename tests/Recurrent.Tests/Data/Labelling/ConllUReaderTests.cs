using System.Text;
using Recurrent.Data.Labelling;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Labelling;

public class ConllUReaderTests
{
    private static string Line(string id, string form, string upos, string xpos) => $"{id}\t{form}\t_\t{upos}\t{xpos}\t_\t0\troot\t_\t_\n";

    // Sentence 1 has comments, a multi-word token (3-4 "don't" = do + n't) and an empty node (4.1).
    private static readonly string Sample =
        "# newdoc id = d1\n# sent_id = s1\n# text = I don't know\n" +
        Line("1", "I", "PRON", "PRP") +
        Line("2-3", "don't", "_", "_") +
        Line("2", "do", "AUX", "VBP") +
        Line("3", "n't", "PART", "RB") +
        Line("3.1", "know", "VERB", "VB") +
        Line("4", "know", "VERB", "VB") +
        "\n# sent_id = s2\n" +
        Line("1", "Hi", "INTJ", "UH") +
        "\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KeepsWordsWithTheirTagsAndSkipsRangesEmptyNodesAndComments(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File("en_x-ud-train.conllu" + (gzip ? ".gz" : "")), Sample, gzip);
        List<LabelledSentence> upos = ConllUReader.Read(path);
        Assert.Equal(2, upos.Count);
        Assert.Equal(["I", "do", "n't", "know"], upos[0].Tokens);
        Assert.Equal(["PRON", "AUX", "PART", "VERB"], upos[0].Tags);
        Assert.Empty(upos[0].Features);
        Assert.Equal(4, upos[0].Line);
        Assert.Equal(["INTJ"], upos[1].Tags);
        List<LabelledSentence> xpos = ConllUReader.Read(path, ConllUTagField.Xpos);
        Assert.Equal(["PRP", "VBP", "RB", "VB"], xpos[0].Tags);
    }

    [Fact]
    public void MalformedLinesNameTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string Check(string text, string expected)
        {
            string path = LabellingTestFiles.Write(dir.File("bad.conllu"), text);
            var e = Assert.Throws<RecurrentException>(() => ConllUReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            return e.Message;
        }
        Assert.Contains("line 2", Check("# c\n1\tI\t_\tPRON\tPRP\t_\t0\troot\t_\n", "9 tab-separated fields, expected 10"));
        Assert.Contains("line 2", Check(Line("1", "I", "PRON", "PRP") + Line("2", "go", "_", "VBP"), "no UPOS tag"));
        Assert.Contains("line 2", Check(Line("1", "I", "PRON", "PRP") + Line("3", "go", "VERB", "VBP"), "word 3 follows word 1"));
        Assert.Contains("line 1", Check(Line("1-", "I", "PRON", "PRP"), "the ID '1-'"));
        Assert.Contains("line 1", Check(Line("one", "I", "PRON", "PRP"), "not a word number"));
        // Found by the fuzzer: after a UTF-8 byte-order mark, invalid bytes were read as U+FFFD; after FF FE, the file as UTF-16.
        string bom = LabellingTestFiles.WriteBytes(dir.File("bom.conllu"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line("1", "I", "PRON", "PRP")), .. "2\tgo\t"u8, 0xBF, .. "\tVERB\tVBP\t_\t_\t_\t_\t_\n"u8]);
        Assert.Contains("line 2: the bytes are not valid UTF-8", Assert.Throws<RecurrentException>(() => ConllUReader.Read(bom)).Message);
        Assert.Equal(["I"], ConllUReader.Read(LabellingTestFiles.WriteBytes(dir.File("ok.conllu"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line("1", "I", "PRON", "PRP"))]))[0].Tokens);
        string utf16 = LabellingTestFiles.WriteBytes(dir.File("utf16.conllu"), [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Line("1", "I", "PRON", "PRP"))]);
        Assert.Contains("not valid UTF-8", Assert.Throws<RecurrentException>(() => ConllUReader.Read(utf16)).Message);
        string xposMissing = LabellingTestFiles.Write(dir.File("x.conllu"), Line("1", "I", "PRON", "_"));
        Assert.Contains("no XPOS tag", Assert.Throws<RecurrentException>(() => ConllUReader.Read(xposMissing, ConllUTagField.Xpos)).Message);
    }
}
