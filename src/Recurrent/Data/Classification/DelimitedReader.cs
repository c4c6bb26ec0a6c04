using CsvHelper;

namespace Recurrent.Data.Classification;

/// <summary>
/// Reads CSV or TSV with a header row (CsvHelper): the text and label columns are chosen by name, matched exactly
/// or else ignoring case and surrounding white space.
/// </summary>
/// <remarks>
/// <para>Both follow RFC 4180 quoting: a field that starts with a quote is quoted, may hold separators and line
/// breaks, and doubles its inner quotes. CSV is strict: a stray quote inside an unquoted field or text after a
/// closing quote is an error, since it usually means a field that should have been quoted was not. TSV is often
/// written without any quoting, so there a quote inside a field is kept as an ordinary character; a quote that is
/// never closed is an error in both, as it would swallow the rest of the file.</para>
/// <para>Every record must have as many fields as the header. The whole file is checked as strict UTF-8 first.</para>
/// </remarks>
internal static class DelimitedReader
{
    public static List<LabeledText> Read(string path, char separator, ClassificationReadOptions options)
    {
        string kind = separator == '\t' ? "TSV" : "CSV";
        byte[] bytes = ReaderSupport.ReadAllBytes(path);
        StrictUtf8.Validate(bytes, path);
        int bom = StrictUtf8.BomLength(bytes);
        bool strict = separator != '\t';

        var csvOptions = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            TrackLineNumbers = true,
            MalformedData = strict ? CsvMalformedDataHandling.Throw : CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
            OnMalformedRecord = strict ? null : record =>
            {
                if (record.Reason == CsvMalformedReason.UnterminatedQuote)
                    throw new RecurrentException($"{path}:{record.LineNumber}: not a valid {kind} record: a quoted field is never closed.");
            },
        };

        var examples = new List<LabeledText>();
        int line = 1;
        try
        {
            using CsvReader csv = CsvReader.Create(bytes.AsMemory(bom), csvOptions);
            csv.ReadHeader();
            IReadOnlyList<string> header = csv.Headers;
            if (header.Count == 0 || (header.Count == 1 && header[0].Length == 0))
                throw new RecurrentException($"The {kind} file '{path}' is empty: it needs a header line naming its columns.");
            int textColumn = Column(csv, header, options.TextField, "text", "--text-column", path, kind);
            int labelColumn = Column(csv, header, options.LabelField, "label", "--label-column", path, kind);
            if (textColumn == labelColumn)
                throw new RecurrentException($"{path}:1: the text and the label are both taken from the column '{header[textColumn]}'.");

            while (csv.Read())
            {
                line = (int)csv.LineNumber;
                string source = $"{path}:{line}";
                string text = csv.GetString(textColumn);
                string label = csv.GetString(labelColumn);
                examples.Add(ReaderSupport.Example(text, label, source));
            }
        }
        catch (CsvFormatException e)
        {
            long at = e.LineNumber > 0 ? e.LineNumber : line;
            throw new RecurrentException($"{path}:{at}: not a valid {kind} record: {e.Message}", e);
        }
        return examples;
    }

    private static int Column(CsvReader csv, IReadOnlyList<string> header, string name, string what, string option, string path, string kind)
    {
        if (csv.TryGetFieldIndex(name, out int index)) return index;
        throw new RecurrentException(
            $"{path}:1: the {kind} header has no column '{name}' for the {what} (its columns: {string.Join(", ", header)}); choose one with {option}.");
    }
}
