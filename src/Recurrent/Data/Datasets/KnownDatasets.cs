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

    public static IReadOnlyList<DatasetDescriptor> All { get; } = [Ptb];

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="RecurrentException">No dataset has that name.</exception>
    public static DatasetDescriptor Get(string name)
    {
        foreach (DatasetDescriptor d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        throw new RecurrentException($"Unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}.");
    }
}
