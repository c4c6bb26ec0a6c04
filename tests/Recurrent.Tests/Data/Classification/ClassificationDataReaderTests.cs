using System.Text;
using Recurrent.Data.Classification;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Classification;

public class ClassificationDataReaderTests
{
    private static string Write(TempDirectory dir, string name, string text)
    {
        string path = dir.File(name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string WriteBytes(TempDirectory dir, string name, byte[] bytes)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static RecurrentException Fails(string path, ClassificationReadOptions? options = null) =>
        Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(path, options));

    [Fact]
    public void CsvWithQuotingAndLineNumbers()
    {
        using var dir = new TempDirectory();
        // Line 1 header; line 2 a quoted comma and doubled quotes; lines 3-4 one record with a line break; line 5 CRLF.
        string path = Write(dir, "reviews.csv",
            "id,text,label\n" +
            "1,\"Good, \"\"really\"\" good\",pos\n" +
            "2,\"two\nlines\", neg \r\n" +
            "3,plain,pos\r\n");
        ClassificationData data = ClassificationDataReader.Read(path);
        Assert.Equal(["Good, \"really\" good", "two\nlines", "plain"], data.Train.Select(e => e.Text));
        Assert.Equal(["pos", "neg", "pos"], data.Train.Select(e => e.Label));
        Assert.Equal([$"{path}:2", $"{path}:3", $"{path}:5"], data.Train.Select(e => e.Source));
        Assert.Equal(["neg", "pos"], data.Labels);
        Assert.Equal([1, 0, 1], data.TrainLabels);
        Assert.Null(data.Test);
    }

    [Fact]
    public void CsvColumnsByNameAndByteOrderMark()
    {
        using var dir = new TempDirectory();
        string path = WriteBytes(dir, "movie_data.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("review,sentiment\nfine film,1\nawful,0\n")]);
        // Names match exactly, or else ignoring case.
        var data = ClassificationDataReader.Read(path, new ClassificationReadOptions { TextField = "Review", LabelField = "sentiment" });
        Assert.Equal(["fine film", "awful"], data.Train.Select(e => e.Text));
        Assert.Equal(["0", "1"], data.Labels);

        var e = Fails(path);
        Assert.Contains($"{path}:1", e.Message);
        Assert.Contains("no column 'text'", e.Message);
        Assert.Contains("review, sentiment", e.Message);
        Assert.Contains("--text-column", e.Message);
        e = Fails(path, new ClassificationReadOptions { TextField = "review" });
        Assert.Contains("no column 'label'", e.Message);
        Assert.Contains("--label-column", e.Message);
    }

    [Theory]
    [InlineData("text,label\na,pos\n,neg\n", 3, "the text is empty")]
    [InlineData("text,label\na,pos\n\"  \",neg\n", 3, "the text is empty")]
    [InlineData("text,label\na,pos\nb,\n", 3, "the label is empty")]
    [InlineData("text,label\na,pos\nb,neg,extra\n", 3, "not a valid CSV record")]
    [InlineData("text,label\na,pos\nb\"c,neg\n", 3, "not a valid CSV record")]
    [InlineData("text,label\na,pos\nb,neg\n\"never closed,pos\nc,neg\n", 4, "not a valid CSV record")]
    public void CsvErrorsNameFileAndLine(string csv, int line, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "bad.csv", csv);
        var e = Fails(path);
        Assert.Contains($"{path}:{line}", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TsvKeepsStrayQuotesAndReadsQuotedTabs()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "data.tsv", "label\ttext\npos\ta 5\" screen\nneg\t\"tab\there\"\n");
        var data = ClassificationDataReader.Read(path);
        Assert.Equal(["a 5\" screen", "tab\there"], data.Train.Select(e => e.Text));
        Assert.Equal(["pos", "neg"], data.Train.Select(e => e.Label));

        string unclosed = Write(dir, "unclosed.tsv", "label\ttext\npos\tfine\nneg\t\"never closed\npos\tmore\n");
        var e = Fails(unclosed);
        Assert.Contains($"{unclosed}:3", e.Message);
        Assert.Contains("never closed", e.Message);
    }

    [Fact]
    public void CsvHeaderOnlyOrEmpty()
    {
        using var dir = new TempDirectory();
        string headerOnly = Write(dir, "header.csv", "text,label\n");
        Assert.Contains("holds no labelled examples", Fails(headerOnly).Message);
        string empty = Write(dir, "empty.csv", "");
        var e = Fails(empty);
        Assert.Contains(empty, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void InvalidUtf8NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        // 'café' in Latin-1 on line 3.
        byte[] bytes = [.. Encoding.ASCII.GetBytes("text,label\nok,pos\ncaf"), 0xE9, .. Encoding.ASCII.GetBytes(",neg\n")];
        string csv = WriteBytes(dir, "latin1.csv", bytes);
        var e = Fails(csv);
        Assert.Contains(csv, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("line 3", e.Message);

        byte[] json = [.. Encoding.ASCII.GetBytes("{\"text\": \"ok\", \"label\": 1}\n{\"text\": \"caf"), 0xE9, .. Encoding.ASCII.GetBytes("\", \"label\": 0}\n")];
        string jsonl = WriteBytes(dir, "latin1.jsonl", json);
        e = Fails(jsonl);
        Assert.Contains(jsonl, e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void JsonLinesWithStringAndNumberLabels()
    {
        using var dir = new TempDirectory();
        string path = WriteBytes(dir, "data.jsonl", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(
            "{\"text\": \"first \\u00e9\", \"label\": 10, \"id\": 7}\n" +
            "\n" +
            "  {\"label\": 2, \"text\": \"second\"}\r\n" +
            "{\"text\": \"third\", \"label\": \"10\"}")]);
        var data = ClassificationDataReader.Read(path);
        Assert.Equal(["first é", "second", "third"], data.Train.Select(e => e.Text));
        Assert.Equal(["10", "2", "10"], data.Train.Select(e => e.Label));
        Assert.Equal([$"{path}:1", $"{path}:3", $"{path}:4"], data.Train.Select(e => e.Source));
        // Integer labels sort by value.
        Assert.Equal(["2", "10"], data.Labels);

        string named = Write(dir, "named.ndjson", "{\"body\": \"x\", \"stars\": \"good\"}\n{\"body\": \"y\", \"stars\": \"bad\"}\n");
        data = ClassificationDataReader.Read(named, new ClassificationReadOptions { TextField = "body", LabelField = "stars" });
        Assert.Equal(["bad", "good"], data.Labels);
    }

    [Theory]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 1\n", 2, "not a JSON object")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n[1, 2]\n", 2, "a JSON Array")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n\n{\"txt\": \"b\", \"label\": 0}\n", 3, "no field 'text' (its fields: txt, label)")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": {\"x\": 1}}\n", 2, "'label' is a JSON object, expected a string or a number")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": 5, \"label\": 0}\n", 2, "'text' is a JSON number, expected a string")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"\", \"label\": 0}\n", 2, "the text is empty")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"\\ud800\", \"label\": 0}\n", 2, "not valid text")]
    // Found by the fuzzer: a key given twice was read (one of the two values, silently).
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": \"x\", \"label\": 0}\n", 2, "not a JSON object: Duplicate")]
    // Found by the long fuzz run: a property name holding an escaped lone surrogate made the duplicate-key check throw
    // InvalidOperationException (unhandled) instead of JsonException.
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"la\\uD83e\": 1, \"label\": 0}\n", 2, "not a JSON object: a property name is not valid text")]
    public void JsonLinesErrorsNameFileAndLine(string jsonl, int line, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "bad.jsonl", jsonl);
        var e = Fails(path);
        Assert.Contains($"{path}:{line}", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FolderPerClass()
    {
        using var dir = new TempDirectory();
        foreach (var (label, name, text) in new[] { ("spam", "b.txt", "buy now"), ("ham", "z.txt", "hello"), ("spam", "a.txt", "win big"), ("ham", "a.txt", "lunch?") })
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, label));
            File.WriteAllText(Path.Combine(dir.Path, label, name), text);
        }
        File.WriteAllText(Path.Combine(dir.Path, "spam", "notes.md"), "not a document");
        Directory.CreateDirectory(Path.Combine(dir.Path, ".hidden"));
        File.WriteAllText(Path.Combine(dir.Path, ".hidden", "x.txt"), "skipped");

        Assert.Equal(ClassificationFormat.Folders, ClassificationDataReader.DetectFormat(dir.Path));
        var data = ClassificationDataReader.Read(dir.Path);
        Assert.Equal(["lunch?", "hello", "win big", "buy now"], data.Train.Select(e => e.Text));
        Assert.Equal(["ham", "ham", "spam", "spam"], data.Train.Select(e => e.Label));
        Assert.Equal(Path.Combine(dir.Path, "ham", "a.txt"), data.Train[0].Source);
        Assert.Equal(["ham", "spam"], data.Labels);
        Assert.Null(data.Test);
    }

    [Fact]
    public void FolderWithTrainAndTest()
    {
        using var dir = new TempDirectory();
        void Doc(string split, string label, string name, string text)
        {
            string folder = Directory.CreateDirectory(Path.Combine(dir.Path, split, label)).FullName;
            File.WriteAllText(Path.Combine(folder, name), text);
        }
        Doc("train", "a", "1.txt", "one");
        Doc("train", "b", "1.txt", "two");
        Doc("test", "b", "9.txt", "nine");
        var data = ClassificationDataReader.Read(dir.Path);
        Assert.Equal(2, data.Train.Count);
        Assert.Equal(["nine"], data.Test!.Select(e => e.Text));
        Assert.Equal([1], data.TestLabels!);

        // A test document of a class the training data lacks.
        Doc("test", "c", "5.txt", "five");
        var e = Fails(dir.Path);
        Assert.Contains(Path.Combine(dir.Path, "test", "c", "5.txt"), e.Message);
        Assert.Contains("'c' never occurs in the training data", e.Message);

        // A file that is not UTF-8.
        File.WriteAllBytes(Path.Combine(dir.Path, "test", "c", "5.txt"), [0x61, 0xFF]);
        e = Fails(dir.Path);
        Assert.Contains(Path.Combine(dir.Path, "test", "c", "5.txt"), e.Message);
        Assert.Contains("not valid UTF-8", e.Message);

        // An empty document.
        File.WriteAllText(Path.Combine(dir.Path, "test", "c", "5.txt"), " \n");
        e = Fails(dir.Path);
        Assert.Contains(Path.Combine(dir.Path, "test", "c", "5.txt") + ": the text is empty", e.Message);
    }

    [Fact]
    public void SeparateTestFile()
    {
        using var dir = new TempDirectory();
        string train = Write(dir, "train.csv", "text,label\na,x\nb,y\n");
        string test = Write(dir, "test.jsonl", "{\"text\": \"c\", \"label\": \"y\"}\n");
        var data = ClassificationDataReader.Read(train, new ClassificationReadOptions { TestPath = test });
        Assert.Equal(["c"], data.Test!.Select(e => e.Text));
        Assert.Equal([1], data.TestLabels!);

        string unseen = Write(dir, "unseen.csv", "text,label\nc,y\nd,z\n");
        var e = Fails(train, new ClassificationReadOptions { TestPath = unseen });
        Assert.Contains($"{unseen}:3", e.Message);
        Assert.Contains("'z' never occurs in the training data (its labels: x, y)", e.Message);

        string empty = Write(dir, "empty.jsonl", "\n");
        Assert.Contains(empty, Fails(train, new ClassificationReadOptions { TestPath = empty }).Message);

        // Data that has its own test split refuses another.
        Directory.CreateDirectory(Path.Combine(dir.Path, "folders", "train", "x"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "folders", "train", "y"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "folders", "test", "x"));
        File.WriteAllText(Path.Combine(dir.Path, "folders", "train", "x", "1.txt"), "a");
        File.WriteAllText(Path.Combine(dir.Path, "folders", "train", "y", "1.txt"), "b");
        File.WriteAllText(Path.Combine(dir.Path, "folders", "test", "x", "1.txt"), "c");
        e = Fails(Path.Combine(dir.Path, "folders"), new ClassificationReadOptions { TestPath = test });
        Assert.Contains("already holds a test split", e.Message);
    }

    [Fact]
    public void OneClassOrNoData()
    {
        using var dir = new TempDirectory();
        string one = Write(dir, "one.csv", "text,label\na,pos\nb,pos\n");
        var e = Fails(one);
        Assert.Contains(one, e.Message);
        Assert.Contains("only one label, 'pos'", e.Message);

        string nothing = Write(dir, "nothing.jsonl", "\n\n");
        e = Fails(nothing);
        Assert.Contains(nothing, e.Message);
        Assert.Contains("holds no labelled examples", e.Message);

        using var emptyFolder = new TempDirectory();
        e = Fails(emptyFolder.Path);
        Assert.Contains("holds no documents", e.Message);
    }

    [Fact]
    public void FormatFromNameOrOption()
    {
        using var dir = new TempDirectory();
        string txt = Write(dir, "data.txt", "text,label\na,x\nb,y\n");
        var e = Fails(txt);
        Assert.Contains("Cannot tell the format", e.Message);
        Assert.Contains("--format", e.Message);
        Assert.Equal(2, ClassificationDataReader.Read(txt, new ClassificationReadOptions { Format = ClassificationFormat.Csv }).Train.Count);

        Assert.Equal(ClassificationFormat.Imdb, ClassificationDataReader.DetectFormat(Write(dir, "x.TAR.GZ", "")));
        Assert.Equal(ClassificationFormat.Imdb, ClassificationDataReader.DetectFormat(Write(dir, "x.tgz", "")));
        Assert.Equal(ClassificationFormat.Tsv, ClassificationDataReader.DetectFormat(Write(dir, "a.tab", "")));
        Assert.Contains("does not exist", Fails(dir.File("missing.csv")).Message);
        Assert.Contains("is a folder", Fails(dir.Path, new ClassificationReadOptions { Format = ClassificationFormat.Csv }).Message);
        Assert.Contains("is a file", Fails(txt, new ClassificationReadOptions { Format = ClassificationFormat.Folders }).Message);
    }

    [Fact]
    public void FormatNames()
    {
        Assert.Equal(ClassificationFormat.JsonLines, ClassificationDataReader.ParseFormat("JSONL"));
        foreach (ClassificationFormat format in Enum.GetValues<ClassificationFormat>())
            Assert.Equal(format, ClassificationDataReader.ParseFormat(ClassificationDataReader.Name(format)));
        var e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.ParseFormat("xml"));
        Assert.Contains("auto, imdb, csv, tsv, jsonl, folders", e.Message);
    }

    [Fact]
    public void LabelsSortNumericallyOnlyWhenAllAreIntegers()
    {
        string[] numbers = ["10", "-1", "2", "1"];
        ClassificationData.SortLabels(numbers);
        Assert.Equal(["-1", "1", "2", "10"], numbers);
        string[] mixed = ["10", "2", "b", "B"];
        ClassificationData.SortLabels(mixed);
        Assert.Equal(["10", "2", "B", "b"], mixed);
    }
}
