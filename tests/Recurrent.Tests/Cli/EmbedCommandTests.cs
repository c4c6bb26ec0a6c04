using System.CommandLine;
using Recurrent.Cli.Commands;
using Recurrent.Data;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Cli;

/// <summary>The <c>embed</c> commands end to end on a small generated text.</summary>
public class EmbedCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    /// <summary>Lines over two disjoint groups of words, plus a questions file over them.</summary>
    private static (string Text, string Questions) MakeData(TempDirectory dir)
    {
        var random = new RandomGenerator(2);
        string text = dir.File("text.txt");
        using (var writer = new StreamWriter(text))
            for (int l = 0; l < 400; l++)
            {
                char group = random.NextInt(2) == 0 ? 'a' : 'b';
                for (int w = 0; w < 15; w++) writer.Write($"{group}{random.NextInt(12)} ");
                writer.Write('\n');
            }
        string questions = dir.File("questions.txt");
        File.WriteAllText(questions, ": group\na1 a2 b1 b2\nA3 a4 b3 b4\n: gram-none\na1 a2 zz b2\n");
        return (text, questions);
    }

    [Fact]
    public void TrainWritesVectorsThatTheOtherCommandsUse()
    {
        using var dir = new TempDirectory();
        (string text, string questions) = MakeData(dir);
        string vectors = dir.File("vectors.bin");
        string[] train = ["embed", "train", "--text", text, "--output", vectors, "--size", "10", "--min-count", "1", "--iter", "2", "--threads", "1"];
        Assert.Equal(0, Run(train));
        WordVectorsFile.Read(vectors, out WordVectorsFormat format);
        Assert.Equal(WordVectorsFormat.Word2VecBinary, format); // chosen by the .bin name

        var refused = Assert.Throws<RecurrentException>(() => Run(train));
        Assert.Contains("--force", refused.Message);
        Assert.Equal(0, Run([.. train, "--force", "--cbow", "0", "--seed", "3"]));

        string text2 = dir.File("vectors.txt");
        Assert.Equal(0, Run("embed", "train", "--text", text, "--output", text2, "--size", "10", "--min-count", "1", "--iter", "1", "--cbow"));
        Assert.Equal(WordVectorsFormat.Word2VecText, ReadFormat(text2));
        string binary = dir.File("vectors.w2v");
        Assert.Equal(0, Run("embed", "train", "--text", text, "--output", binary, "--size", "10", "--min-count", "1", "--iter", "1", "--binary"));
        Assert.Equal(WordVectorsFormat.Word2VecBinary, ReadFormat(binary));

        Assert.Equal(0, Run("embed", "nearest", vectors, "a1", "--k", "3"));
        Assert.Equal(0, Run("embed", "analogy", vectors, "a1", "a2", "b1"));
        Assert.Equal(0, Run("embed", "eval", vectors, "--questions", questions));
        Assert.Contains("no vector", Assert.Throws<RecurrentException>(() => Run("embed", "nearest", vectors, "zebra")).Message);
    }

    private static WordVectorsFormat ReadFormat(string path)
    {
        WordVectorsFile.Read(path, out WordVectorsFormat format);
        return format;
    }

    [Fact]
    public void MistakesGetClearMessages()
    {
        using var dir = new TempDirectory();
        (string text, _) = MakeData(dir);
        string output = dir.File("v.txt");
        Assert.Contains("--loss", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--loss", "hs")).Message);
        Assert.Contains("preset", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--preset", "big")).Message);
        Assert.Contains("--size", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--size", "0")).Message);
        Assert.Contains("--cbow", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--loss", "nce", "--cbow")).Message);
        Assert.Contains("--init-range", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--init-range", "0")).Message);
        // NCE has its own initialisation: a range given for it would be silently ignored, so it is refused.
        Assert.Contains("--loss ns", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", text, "--output", output, "--preset", "tfmi", "--init-range", "4")).Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => Run("embed", "train", "--text", dir.File("none.txt"), "--output", output)).Message);
        Assert.NotEqual(0, Run("embed", "train", "--text", text, "--output", output, "--cbow", "2"));
        Assert.False(File.Exists(output));
    }
}
