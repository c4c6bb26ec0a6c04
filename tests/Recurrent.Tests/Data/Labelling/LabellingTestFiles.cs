using System.IO.Compression;
using System.Text;

namespace Recurrent.Tests.Data.Labelling;

/// <summary>Writes small tagging files for the reader tests, plain or gzip-compressed.</summary>
internal static class LabellingTestFiles
{
    public static string Write(string path, string text, bool gzip = false) => WriteBytes(path, Encoding.UTF8.GetBytes(text), gzip);

    public static string WriteBytes(string path, byte[] bytes, bool gzip = false)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using (var file = File.Create(path))
        using (var z = new GZipStream(file, CompressionLevel.Fastest))
            z.Write(bytes);
        return path;
    }

    /// <summary>
    /// letter.data lines for words given as (word id, fold, letters), ids from <paramref name="firstId"/>, with the
    /// pixel of letter l (global index), row r, column c equal to (l + r + c) % 2 and a trailing tab, as in the original.
    /// </summary>
    public static string LetterData(IEnumerable<(int WordId, int Fold, string Letters)> words, int firstId = 1)
    {
        var s = new StringBuilder();
        int id = firstId, letterIndex = 0;
        foreach (var (wordId, fold, letters) in words)
        {
            for (int p = 0; p < letters.Length; p++, id++, letterIndex++)
            {
                int next = p == letters.Length - 1 ? -1 : id + 1;
                s.Append($"{id}\t{letters[p]}\t{next}\t{wordId}\t{p + 1}\t{fold}");
                for (int r = 0; r < 16; r++)
                    for (int c = 0; c < 8; c++) s.Append('\t').Append((letterIndex + r + c) % 2);
                s.Append("\t\n");
            }
        }
        return s.ToString();
    }
}
