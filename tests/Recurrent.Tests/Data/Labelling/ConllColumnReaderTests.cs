using Recurrent.Data.Labelling;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Labelling;

public class ConllColumnReaderTests
{
    // Two CoNLL-2000 sentences, separated by two blank lines (one only white space), CRLF line ends in the second
    // sentence and no line break after the last line.
    private const string Sample =
        "Confidence NN B-NP\n" +
        "in IN B-PP\n" +
        "the DT B-NP\n" +
        "pound NN I-NP\n" +
        "\n" +
        "  \t\n" +
        "Chancellor NNP O\r\n" +
        "of\tIN  B-PP\r\n" +
        "Exchequer NNP B-NP";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsSentencesWithTheLastColumnAsTagsAndTheOthersAsFeatures(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File(gzip ? "train.txt.gz" : "train.txt"), Sample, gzip);
        List<LabelledSentence> sentences = ConllColumnReader.Read(path);
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["Confidence", "in", "the", "pound"], sentences[0].Tokens);
        Assert.Equal(["B-NP", "B-PP", "B-NP", "I-NP"], sentences[0].Tags);
        Assert.Equal(["NN", "IN", "DT", "NN"], Assert.Single(sentences[0].Features));
        Assert.Equal(["Chancellor", "of", "Exchequer"], sentences[1].Tokens);
        Assert.Equal(["O", "B-PP", "B-NP"], sentences[1].Tags);
        Assert.Equal((path, 1), (sentences[0].Source, sentences[0].Line));
        Assert.Equal(7, sentences[1].Line);
        Assert.Equal(0, sentences[0].FrameSize);
    }

    [Fact]
    public void AnyColumnCanBeTheTagAndDocumentStartsSeparateSentences()
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File("ner.txt"),
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n-DOCSTART- -X- -X- O\nPeter NNP B-NP B-PER\n");
        List<LabelledSentence> pos = ConllColumnReader.Read(path, tagColumn: 1);
        Assert.Equal(2, pos.Count);
        Assert.Equal(["NNP", "VBZ"], pos[0].Tags);
        Assert.Equal(["B-NP", "B-VP"], pos[0].Features[0]);
        Assert.Equal(["B-ORG", "O"], pos[0].Features[1]);
        List<LabelledSentence> chunks = ConllColumnReader.Read(path, tagColumn: -2);
        Assert.Equal(["B-NP", "B-VP"], chunks[0].Tags);
        Assert.Equal(["NNP", "VBZ"], chunks[0].Features[0]);
        Assert.Equal(["B-ORG", "O"], chunks[0].Features[1]);
        Assert.Equal(["B-PER"], ConllColumnReader.Read(path)[1].Tags);
    }

    [Fact]
    public void AWrongColumnCountNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File("train.txt"), "a DT B-NP\nb NN I-NP\n\nc VBZ\n");
        var e = Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("2 columns, expected 3 as on line 1", e.Message);
    }

    [Fact]
    public void AMissingTagIsReported()
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File("train.txt"), "\nword\n");
        var e = Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(path));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("a word and a tag", e.Message);
        string ok = LabellingTestFiles.Write(dir.File("ok.txt"), "a DT B-NP\n");
        Assert.Contains("tag column 3", Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(ok, tagColumn: 3)).Message);
        Assert.Contains("word column", Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(ok, tagColumn: 0)).Message);
    }

    [Fact]
    public void BadBytesAndMissingFilesAreReported()
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.WriteBytes(dir.File("latin1.txt"), [(byte)'a', (byte)' ', (byte)'O', (byte)'\n', 0xE9, (byte)' ', (byte)'O', (byte)'\n']);
        var e = Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(path));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("UTF-8", e.Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(dir.File("none.txt"))).Message);
        byte[] gz;
        using (var m = new MemoryStream())
        {
            using (var z = new System.IO.Compression.GZipStream(m, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                z.Write(System.Text.Encoding.UTF8.GetBytes(new string('x', 5000) + " O\n"));
            gz = m.ToArray()[..^12]; // cut the end off
        }
        string cut = LabellingTestFiles.WriteBytes(dir.File("cut.txt.gz"), gz);
        Assert.Contains("gzip data is cut off", Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(cut)).Message);
        // Every line there but half the trailer: GZipStream alone would accept it.
        byte[] whole;
        using (var m = new MemoryStream())
        {
            using (var z = new System.IO.Compression.GZipStream(m, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                z.Write(System.Text.Encoding.UTF8.GetBytes("a O\nb O\n"));
            whole = m.ToArray();
        }
        Assert.Equal(2, ConllColumnReader.Read(LabellingTestFiles.WriteBytes(dir.File("whole.gz"), whole))[0].Length);
        string noTrailer = LabellingTestFiles.WriteBytes(dir.File("trailer.gz"), whole[..^4]);
        Assert.Contains("gzip data is cut off", Assert.Throws<RecurrentException>(() => ConllColumnReader.Read(noTrailer)).Message);
    }
}
