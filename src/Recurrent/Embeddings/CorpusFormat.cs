namespace Recurrent.Embeddings;

/// <summary>How a <see cref="CorpusFile"/> stores its text.</summary>
public enum CorpusFormat
{
    /// <summary>Plain UTF-8 text: threads seek straight to their slice.</summary>
    Plain,

    /// <summary>A gzip stream (recognised by its magic bytes 1F 8B, whatever the file is called).</summary>
    Gzip,

    /// <summary>A zip archive (magic bytes 50 4B 03 04) whose first entry is the text, as Mahoney's text8.zip.</summary>
    Zip,
}
