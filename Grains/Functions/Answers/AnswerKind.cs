using System.Net.Http.Headers;

namespace SseVirtualization.Grains.Functions.Answers;

/// <summary>How a function's answer is framed: one body, or a stream of items relayed as they arrive.</summary>
internal enum AnswerKind
{
    Plain,
    NdJson,
    EventStream,
}

internal static class AnswerKinds
{
    public static AnswerKind Of(MediaTypeHeaderValue? contentType) => contentType?.MediaType?.ToLowerInvariant() switch
    {
        "text/event-stream" => AnswerKind.EventStream,
        "application/x-ndjson" or "application/jsonl" or "application/jsonlines" => AnswerKind.NdJson,
        _ => AnswerKind.Plain,
    };
}
