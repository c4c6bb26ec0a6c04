using Recurrent.Data;

namespace Recurrent.Server.Models;

/// <summary>
/// Loads word vectors (word2vec text or binary, GloVe text: <see cref="WordVectorsFile"/>) from a file named
/// <c>*.vec</c>, <c>*.bin</c> or <c>*.txt</c>, or any file given as <c>vectors:PATH</c> (<see cref="ModelSpec.IsVectorsFile"/>).
/// Tried before <see cref="CheckpointLoader"/>, which takes everything else.
/// </summary>
public sealed class VectorsLoader : IModelLoader
{
    public bool CanLoad(ModelSpec spec) => spec.IsVectorsFile;

    public ServedModel Load(ModelSpec spec, ServingContext context) =>
        new ServedWordVectors(spec.Name, WordVectorsFile.Read(spec.Path), spec.Path, context);
}
