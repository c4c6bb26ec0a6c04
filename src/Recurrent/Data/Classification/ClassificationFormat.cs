namespace Recurrent.Data.Classification;

/// <summary>The layouts <see cref="ClassificationDataReader"/> reads.</summary>
public enum ClassificationFormat
{
    /// <summary>Chosen from the path: a <c>.tar.gz</c>/<c>.tgz</c> is IMDb's archive, <c>.csv</c> CSV, <c>.tsv</c>/<c>.tab</c>
    /// TSV, <c>.jsonl</c>/<c>.ndjson</c> JSON Lines; a folder is IMDb's <c>aclImdb</c> (it or a child of that name, or a
    /// folder holding <c>imdb.vocab</c>) or else a folder per class.</summary>
    Auto,

    /// <summary>Stanford's Large Movie Review Dataset: <c>aclImdb_v1.tar.gz</c> read without extraction, or the extracted
    /// <c>aclImdb</c> folder. Only <c>aclImdb/{train,test}/{pos,neg}/*.txt</c> are read.</summary>
    Imdb,

    /// <summary>Comma-separated values with a header, RFC 4180 quoting.</summary>
    Csv,

    /// <summary>Tab-separated values with a header; a field may be quoted as in CSV.</summary>
    Tsv,

    /// <summary>One JSON object per line, such as <c>{"text": "...", "label": "pos"}</c>.</summary>
    JsonLines,

    /// <summary>A folder per class, <c>DIR/&lt;class&gt;/*.txt</c>, one document per file; or <c>DIR/train/&lt;class&gt;/*.txt</c>
    /// and <c>DIR/test/&lt;class&gt;/*.txt</c>.</summary>
    Folders,
}
