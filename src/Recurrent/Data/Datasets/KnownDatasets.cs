namespace Recurrent.Data.Datasets;

/// <summary>The datasets <c>recurrent data get</c> knows.</summary>
internal static class KnownDatasets
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

    /// <summary>
    /// The CoNLL-2000 chunking data (Tjong Kim Sang &amp; Buchholz, 2000): <c>train.txt</c> (WSJ sections 15–18, 8,936
    /// sentences, 211,727 tokens) and <c>test.txt</c> (section 20, 2,012 sentences, 47,377 tokens), one
    /// <c>WORD POS CHUNK</c> line per token, kept uncompressed as NLTK distributes them.
    /// </summary>
    /// <remarks>
    /// The files are the ones Hugging Face's <c>conll2000</c> loader downloads (from teropa/nlp, here pinned to the commit
    /// that added them); its <c>dataset_infos.json</c> records these SHA-256 and sizes (2,842,164 and 639,396 bytes), and
    /// they decompress-match the shared task's own <c>train.txt.gz</c>/<c>test.txt.gz</c> (MD5 2e2f24e9… and 56944df3…).
    /// </remarks>
    public static DatasetDescriptor Conll2000 { get; } = new(
        "conll2000",
        [
            new(new Uri("https://raw.githubusercontent.com/teropa/nlp/bbe04d6a1337adc7f83832d7ac12bf8a06030ff6/resources/corpora/conll2000/train.txt"), "train.txt",
                "82033cd7a72b209923a98007793e8f9de3abc1c8b79d646c50648eb949b87cea"),
            new(new Uri("https://raw.githubusercontent.com/teropa/nlp/bbe04d6a1337adc7f83832d7ac12bf8a06030ff6/resources/corpora/conll2000/test.txt"), "test.txt",
                "73b7b1e565fa75a1e22fe52ecdf41b6624d6f59dacb591d44252bf4d692b1628"),
        ]);

    /// <summary>
    /// Universal Dependencies English Web Treebank, release 2.16 (tag <c>r2.16</c> of UD_English-EWT): the train, dev
    /// and test CoNLL-U files (12,544 / 2,001 / 2,077 sentences), CC BY-SA 4.0.
    /// </summary>
    /// <remarks>The SHA-256 are those of the release files; each file's git blob id matches the one the repository records at <c>r2.16</c>.</remarks>
    public static DatasetDescriptor UdEnglishEwt { get; } = new(
        "ud-english-ewt",
        [
            new(new Uri("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/en_ewt-ud-train.conllu"), "en_ewt-ud-train.conllu",
                "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"),
            new(new Uri("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/en_ewt-ud-dev.conllu"), "en_ewt-ud-dev.conllu",
                "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"),
            new(new Uri("https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/en_ewt-ud-test.conllu"), "en_ewt-ud-test.conllu",
                "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"),
        ]);

    /// <summary>
    /// Taskar's OCR letters (Taskar, Guestrin &amp; Koller, 2003; collected by Rob Kassel): <c>letter.data.gz</c> as
    /// published in 2003, 6,877 handwritten words, 52,152 letters of 16×8 binary pixels, with the 10-fold column.
    /// </summary>
    /// <remarks>The SHA-256 is that of two independent, byte-identical copies of the published file (MD5 6c73f3b1a48b88dc143de1b70218dfcc).</remarks>
    public static DatasetDescriptor Ocr { get; } = new(
        "ocr",
        [
            new(new Uri("http://ai.stanford.edu/~btaskar/ocr/letter.data.gz"), "letter.data.gz",
                "4ef9522ffeaa68cad889ad8d02ad3fca411fe6a656546c236a183866157b3b34"),
        ]);

    /// <summary>
    /// Mahoney's text8 (the first 10⁸ bytes of the March 2006 English Wikipedia, cleaned to lower-case a–z and single
    /// spaces, about 17 million words), the corpus of word2vec's demo scripts and of TensorFlow's word2vec tutorial:
    /// <c>text8.zip</c> (31,344,016 bytes), of which the one file <c>text8</c> (100,000,000 bytes) is kept.
    /// </summary>
    /// <remarks>
    /// No checksum of the zip is published; TensorFlow's <c>word2vec_basic.py</c> checks only its size, 31,344,016
    /// bytes. The extracted file is checked instead, against the SHA-256 published with a replication package that
    /// downloads the same URL; it agrees with what the zip itself records for its entry (100,000,000 bytes, CRC-32
    /// 7d6be66f, both checked by the zip reader), and the file's first 12,549,837 bytes are <c>../shared/data/text8</c>'s
    /// prefix (SHA-256 41e50c6a…).
    /// </remarks>
    public static DatasetDescriptor Text8 { get; } = new(
        "text8",
        new Uri("http://mattmahoney.net/dc/text8.zip"),
        ArchiveChecksum: null,
        [new("text8", "text8", "6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7")]);

    /// <summary>Every dataset, in the order <c>recurrent data list</c> shows them.</summary>
    public static IReadOnlyList<DatasetDescriptor> All { get; } = [Ptb, Imdb, Conll2000, UdEnglishEwt, Ocr, Text8];

    /// <summary>The dataset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="RecurrentException">No dataset has that name.</exception>
    public static DatasetDescriptor Get(string name)
    {
        foreach (DatasetDescriptor d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        throw new RecurrentException($"Unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}.");
    }
}
