using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;

namespace Recurrent.Data.Classification;

/// <summary>
/// Reads Stanford's Large Movie Review Dataset: the reviews <c>aclImdb/{train,test}/{pos,neg}/*.txt</c>, one review
/// per file, labelled by their folder. Everything else (<c>train/unsup</c>, the bag-of-words and URL files) is skipped.
/// </summary>
/// <remarks>
/// The archive is streamed (a <see cref="TarReader"/> over a <see cref="GZipStream"/>), so nothing is extracted and
/// only one review is held in a buffer at a time. The archive and the extracted folder give the same examples in the
/// same order: sorted by their path inside <c>aclImdb</c> (ordinal), so <c>neg</c> before <c>pos</c>, whatever order the
/// archive stores them in.
/// </remarks>
internal static class ImdbReader
{
    private static readonly string[] Splits = ["train", "test"];
    private static readonly string[] Classes = ["neg", "pos"];

    /// <summary>True for a folder that looks like <c>aclImdb</c>: so named, or holding <c>imdb.vocab</c>.</summary>
    public static bool IsImdbFolder(string directory) =>
        string.Equals(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))), "aclImdb", StringComparison.Ordinal) ||
        File.Exists(Path.Combine(directory, "imdb.vocab"));

    /// <summary>Reads the archive at <paramref name="path"/> (<c>aclImdb_v1.tar.gz</c>).</summary>
    public static (List<LabeledText> Train, List<LabeledText>? Test) ReadArchive(string path)
    {
        var train = new List<(string Key, LabeledText Example)>();
        var test = new List<(string Key, LabeledText Example)>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            TarEntry? entry;
            while ((entry = tar.GetNextEntry(copyData: false)) is not null)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (!TryParseMember(name, out bool isTest, out string label)) continue;

                if (entry.Length > Array.MaxLength)
                    throw new RecurrentException($"{path}:{name}: the review is {entry.Length} bytes long, too long to be a review.");
                int length = (int)entry.Length;
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }
                entry.DataStream?.ReadExactly(buffer, 0, length); // null for an empty file
                string source = $"{path}:{name}";
                string text = StrictUtf8.Decode(buffer.AsSpan(0, length), source);
                (isTest ? test : train).Add((name, ReaderSupport.Example(text, label, source)));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new RecurrentException($"'{path}' is not a readable .tar.gz (gzip-compressed tar) file: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (train.Count == 0 && test.Count == 0)
            throw new RecurrentException(
                $"'{path}' holds no aclImdb/{{train,test}}/{{pos,neg}}/*.txt files: only Stanford's IMDb archive (aclImdb_v1.tar.gz) is read " +
                "from a .tar.gz. Extract other archives and pass the folder (a folder per class), or a CSV, TSV or JSON Lines file.");
        if (train.Count == 0)
            throw new RecurrentException($"'{path}' holds test reviews but no aclImdb/train/{{pos,neg}}/*.txt.");
        return (Sorted(train), test.Count == 0 ? null : Sorted(test));
    }

    /// <summary>Reads an extracted <c>aclImdb</c> folder.</summary>
    public static (List<LabeledText> Train, List<LabeledText>? Test) ReadFolder(string directory)
    {
        List<LabeledText>? train = ReadSplit(directory, "train", required: true);
        List<LabeledText>? test = ReadSplit(directory, "test", required: false);
        return (train!, test);
    }

    private static List<LabeledText>? ReadSplit(string directory, string split, bool required)
    {
        var examples = new List<(string Key, LabeledText Example)>();
        foreach (string label in Classes)
        {
            string folder = Path.Combine(directory, split, label);
            if (!Directory.Exists(folder))
            {
                if (!required && !Directory.Exists(Path.Combine(directory, split))) return null;
                throw new RecurrentException($"'{directory}' is not an aclImdb folder: it lacks {split}/{label}/.");
            }
            foreach (string file in Directory.EnumerateFiles(folder, "*.txt"))
            {
                string text = StrictUtf8.Decode(ReaderSupport.ReadAllBytes(file), file);
                examples.Add(($"aclImdb/{split}/{label}/{Path.GetFileName(file)}", ReaderSupport.Example(text, label, file)));
            }
        }
        if (examples.Count == 0)
            throw new RecurrentException($"'{directory}' has no reviews in {split}/neg/*.txt or {split}/pos/*.txt.");
        return Sorted(examples);
    }

    /// <summary>Recognises <c>aclImdb/{train,test}/{pos,neg}/NAME.txt</c>.</summary>
    internal static bool TryParseMember(string name, out bool isTest, out string label)
    {
        isTest = false;
        label = "";
        string[] parts = name.Split('/');
        if (parts.Length != 4 || parts[0] != "aclImdb" || !parts[3].EndsWith(".txt", StringComparison.Ordinal)) return false;
        int split = Array.IndexOf(Splits, parts[1]);
        int labelIndex = Array.IndexOf(Classes, parts[2]);
        if (split < 0 || labelIndex < 0) return false;
        isTest = split == 1;
        label = Classes[labelIndex];
        return true;
    }

    private static List<LabeledText> Sorted(List<(string Key, LabeledText Example)> examples)
    {
        examples.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var result = new List<LabeledText>(examples.Count);
        foreach (var (_, example) in examples) result.Add(example);
        return result;
    }
}
