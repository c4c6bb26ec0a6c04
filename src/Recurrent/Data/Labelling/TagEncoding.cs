using System.Text.Json.Serialization;

namespace Recurrent.Data.Labelling;

/// <summary>How a tagger learns its tags; the data and the reports keep the tags as written (BIO for chunks).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TagEncoding>))]
public enum TagEncoding
{
    /// <summary>Tags as they are (parts of speech, letters).</summary>
    None,

    /// <summary>BIO chunk tags, each sentence's chunks read as conlleval reads them (an I-X that does not continue a chunk of type X starts one).</summary>
    Bio,

    /// <summary>BIO chunk tags learned as IOBES (<see cref="ChunkTags.BioToIobes"/>, chunk ends marked); predictions are turned back into BIO.</summary>
    Iobes,
}
