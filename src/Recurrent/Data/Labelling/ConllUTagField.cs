namespace Recurrent.Data.Labelling;

/// <summary>Which CoNLL-U column holds the tags to learn.</summary>
public enum ConllUTagField
{
    /// <summary>Column 4, the universal part-of-speech tag (17 tags).</summary>
    Upos,

    /// <summary>Column 5, the language-specific tag (Penn Treebank tags for English).</summary>
    Xpos,
}
