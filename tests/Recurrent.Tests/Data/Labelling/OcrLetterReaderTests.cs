using Recurrent.Data.Labelling;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Labelling;

public class OcrLetterReaderTests
{
    private static readonly (int, int, string)[] Words = [(1, 3, "mma"), (2, 3, "ow"), (3, 0, "x")];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GroupsLettersIntoWordsByNextId(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = LabellingTestFiles.Write(dir.File(gzip ? "letter.data.gz" : "letter.data"), LabellingTestFiles.LetterData(Words), gzip);
        List<OcrWord> words = OcrLetterReader.Read(path);
        Assert.Equal(["mma", "ow", "x"], words.Select(w => w.Letters));
        Assert.Equal([1, 2, 3], words.Select(w => w.WordId));
        Assert.Equal([3, 3, 0], words.Select(w => w.Fold));
        Assert.Equal([1, 4, 6], words.Select(w => w.Line));
        // Pixel (letter l, row r, column c) = (l + r + c) % 2, l counted over the file: word 2's first letter is l = 3.
        OcrWord ow = words[1];
        Assert.Equal(2 * OcrWord.FrameSize, ow.Pixels.Length);
        for (int l = 0; l < 2; l++)
            for (int r = 0; r < 16; r++)
                for (int c = 0; c < 8; c++)
                    Assert.Equal((3 + l + r + c) % 2, ow.Pixels[l * 128 + r * 8 + c]);
        LabelledSentence s = ow.ToSentence();
        Assert.Equal(["o", "w"], s.Tags);
        Assert.Equal(128, s.FrameSize);
        Assert.Empty(s.Tokens);
        Assert.Equal(ow.Pixels, s.Frames.ToArray());
    }

    [Fact]
    public void ReadsTheCourseLayoutWithoutFolds()
    {
        // CS 512 train.txt: space-separated, no fold, field 3 = next position or -1.
        using var dir = new TempDirectory();
        string pixels = string.Join(" ", Enumerable.Repeat("0", 127)) + " 1";
        string text = $"1 a 2 1 1 {pixels}\n2 b -1 1 2 {pixels}\n3 c -1 2 1 {pixels}\n";
        List<OcrWord> words = OcrLetterReader.Read(LabellingTestFiles.Write(dir.File("train.txt"), text));
        Assert.Equal(["ab", "c"], words.Select(w => w.Letters));
        Assert.Equal([-1, -1], words.Select(w => w.Fold));
        Assert.Equal(1f, words[0].Pixels[255]);
    }

    [Fact]
    public void MalformedInputNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string good = LabellingTestFiles.LetterData(Words);
        string[] lines = good.Split('\n');
        string Check(string text, string expected)
        {
            string path = LabellingTestFiles.Write(dir.File("letter.data"), text);
            var e = Assert.Throws<RecurrentException>(() => OcrLetterReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            return e.Message;
        }
        string Replace(int line, string newLine) => string.Join('\n', lines.Select((l, i) => i == line - 1 ? newLine : l));

        // A frame one pixel short on line 2.
        string shortFrame = lines[1][..lines[1].TrimEnd('\t').LastIndexOf('\t')] + "\t";
        Assert.Contains("line 2", Check(Replace(2, shortFrame), "a frame of 127 pixel values after the 6 leading fields; expected 128"));
        // A first line that fits neither layout.
        Assert.Contains("line 1", Check(string.Join('\t', lines[0].Split('\t')[..10]) + "\n", "10 fields; a letter line holds 6"));
        // A pixel that is not a number.
        string[] fields = lines[2].Split('\t');
        fields[6 + 5] = "x";
        Assert.Contains("line 3", Check(Replace(3, string.Join('\t', fields)), "pixel 5 ('x') is not a number"));
        // A pixel that is not finite (found by the fuzzer: NaN and 1e999 were read).
        fields[6 + 5] = "1e999";
        Assert.Contains("line 3", Check(Replace(3, string.Join('\t', fields)), "pixel 5 ('1e999') is not a finite number"));
        fields[6 + 5] = "NaN";
        Assert.Contains("line 3", Check(Replace(3, string.Join('\t', fields)), "pixel 5 ('NaN') is not a finite number"));
        // Letter 2's id is not letter 1's next_id.
        Assert.Contains("line 2", Check(Replace(2, "9" + lines[1][1..]), "letter id 9, but the previous letter's next_id is 2"));
        // The file ends inside a word (the last letter of "mma" is missing).
        Assert.Contains("line 2", Check(lines[0] + "\n" + lines[1] + "\n", "ends inside word 1"));
        // A word that does not start at position 1.
        Assert.Contains("line 1", Check(lines[1] + "\n", "starts at position 2"));
        // A fold change inside a word.
        Assert.Contains("line 2", Check(Replace(2, lines[1].Replace("\t1\t2\t3\t", "\t1\t2\t4\t")), "fold 4"));
        // A label of two characters.
        Assert.Contains("line 1", Check(Replace(1, lines[0].Replace("\tm\t", "\tmm\t")), "'mm' is not a single letter"));
    }
}
