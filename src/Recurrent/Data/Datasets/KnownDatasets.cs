namespace Recurrent.Data.Datasets;

/// <summary>The datasets <c>recurrent data get</c> knows.</summary>
public static class KnownDatasets
{
    /// <summary>
    /// Penn Treebank, word level, as preprocessed by Mikolov (simple-examples.tgz, 10k words, one sentence per line).
    /// </summary>
    /// <remarks>
    /// The archive's MD5 is the one PaddlePaddle's dataset modules (paddle.dataset.imikolov, .ptb) check for this
    /// URL. The SHA-256 of the three files were measured on copies of the files that agree byte for byte across
    /// several independent sources.
    /// </remarks>
    public static DatasetDescriptor Ptb { get; } = new(
        "ptb",
        new Uri("http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz"),
        Checksum.Md5("30177ea32e27c525793142b6bf2c8e2d"),
        [
            new("simple-examples/data/ptb.train.txt", "ptb.train.txt", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"),
            new("simple-examples/data/ptb.valid.txt", "ptb.valid.txt", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2"),
            new("simple-examples/data/ptb.test.txt", "ptb.test.txt", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0"),
        ]);

    /// <summary>
    /// Stanford's Large Movie Review Dataset v1.0 (Maas et al., 2011): 25,000 training and 25,000 test reviews labelled
    /// pos or neg, plus 50,000 unlabelled ones. Kept as the downloaded aclImdb_v1.tar.gz (84,125,825 bytes), which the
    /// classification reader reads without extracting it.
    /// </summary>
    /// <remarks>
    /// The SHA-256 is the one TensorFlow Datasets records for this URL (tensorflow/datasets,
    /// <c>tensorflow_datasets/datasets/imdb_reviews/checksums.tsv</c> and <c>url_checksums/imdb_reviews.txt</c>, with the
    /// size 84,125,825). torchtext (<c>torchtext/datasets/imdb.py</c>) and PaddlePaddle check the same URL against MD5
    /// 7c2ac02c03563afcf9b574c7e56c153a.
    /// </remarks>
    public static DatasetDescriptor Imdb { get; } = new(
        "imdb",
        [
            new(new Uri("http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"), "aclImdb_v1.tar.gz",
                "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"),
        ]);

    public static IReadOnlyList<DatasetDescriptor> All { get; } = [Ptb, Imdb];

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="RecurrentException">No dataset has that name.</exception>
    public static DatasetDescriptor Get(string name)
    {
        foreach (DatasetDescriptor d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        throw new RecurrentException($"Unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}.");
    }
}
