using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Recurrent.Data.Classification;

/// <summary>
/// Reads Stanford's Large Movie Review Dataset: the reviews <c>aclImdb/{train,test}/{pos,neg}/*.txt</c>, one review
/// per file, labelled by their folder. Everything else (<c>train/unsup</c>, the bag-of-words and URL files) is skipped.
/// </summary>
/// <remarks>
/// The archive is streamed (a <see cref="TarFileReader"/> over a <see cref="GZipStream"/>), so nothing is extracted and
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
    /// <remarks>
    /// A member met twice replaces the earlier one, as extracting the archive would. The archive must be whole: after the
    /// tar's end, the rest of the gzip member is read too, so that its CRC is checked, and the length that comes out must
    /// be the one its trailer records (<see cref="GZipStream"/> reads a cut-off member as if it ended there).
    /// </remarks>
    public static (List<LabeledText> Train, List<LabeledText>? Test) ReadArchive(string path)
    {
        var train = new Dictionary<string, LabeledText>(StringComparer.Ordinal);
        var test = new Dictionary<string, LabeledText>(StringComparer.Ordinal);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            uint? recordedLength = TrailerLength(file);
            using var content = new CountingStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true));
            var tar = new TarFileReader(content);
            while (tar.MoveNext())
            {
                string name = tar.Name.StartsWith("./", StringComparison.Ordinal) ? tar.Name[2..] : tar.Name;
                if (!TryParseMember(name, out bool isTest, out string label)) continue;

                string source = $"{path}:{name}";
                if (tar.Length > Array.MaxLength)
                    throw new RecurrentException($"{source}: the review is {tar.Length:N0} bytes long, too long to be a review.");
                int length = ReadData(tar, (int)tar.Length, ref buffer);
                string text = StrictUtf8.Decode(buffer.AsSpan(0, length), source);
                (isTest ? test : train)[name] = ReaderSupport.Example(text, label, source);
            }
            content.CopyTo(Stream.Null);
            if (recordedLength != (uint)content.BytesRead)
                throw new RecurrentException(
                    $"'{path}' is cut off or damaged: it decompresses to {content.BytesRead:N0} bytes but its gzip trailer records " +
                    $"{(recordedLength is { } recorded ? recorded.ToString("N0", CultureInfo.InvariantCulture) : "nothing (the file is too short to have one)")}. Download it again.");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
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

    /// <summary>
    /// Reads a member's <paramref name="length"/> bytes into <paramref name="buffer"/>, growing it as the data arrives rather
    /// than to the declared length at once: a damaged header may declare gigabytes that the archive does not hold.
    /// </summary>
    private static int ReadData(TarFileReader data, int length, ref byte[] buffer)
    {
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, 2L * buffer.Length));
                buffer.AsSpan(0, filled).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            filled += data.Read(buffer.AsSpan(filled, Math.Min(buffer.Length, length) - filled));
        }
        return length;
    }

    /// <summary>The uncompressed length (mod 2³²) a gzip file's trailer records: its last 4 bytes; null when it is shorter than a gzip member can be.</summary>
    private static uint? TrailerLength(FileStream file)
    {
        if (file.Length < 18) return null;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
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

    private static List<LabeledText> Sorted(Dictionary<string, LabeledText> examples) =>
        Sorted(examples.Select(pair => (pair.Key, pair.Value)).ToList());

    private static List<LabeledText> Sorted(List<(string Key, LabeledText Example)> examples)
    {
        examples.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var result = new List<LabeledText>(examples.Count);
        foreach (var (_, example) in examples) result.Add(example);
        return result;
    }
}
