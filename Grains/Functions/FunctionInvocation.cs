using System.Diagnostics;
using System.Threading.RateLimiting;
using Polly.CircuitBreaker;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Answers;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// One run of a function, read step by step: <see cref="StartAsync"/> waits for a slot and sends the request
/// (retries included), then <see cref="NextAsync"/> yields the answer's items until the final result. Every
/// way it can end becomes an <see cref="InvocationResult"/>; nothing is thrown at the caller but cancellation.
/// </summary>
internal sealed class FunctionInvocation : IAsyncDisposable
{
    private readonly FunctionRouter _router;
    private readonly FunctionInvoker _context;
    private readonly FunctionStatisticsRecorder _statistics;
    private readonly CancellationToken _callerCancellation;
    private readonly long _maxStreamBytes;
    private readonly InvocationRequest _request;
    private readonly string _requestId;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _deadline;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private RateLimitLease? _slot;
    private RoutedResponse? _response;
    private AnswerKind _kind;
    private IAsyncEnumerator<string>? _items;
    private string? _plainJson;
    private int _statusCode;
    private int _count;

    public FunctionInvocation(
        FunctionInvoker context,
        FunctionRouter router,
        FunctionStatisticsRecorder statistics,
        InvocationRequest request,
        TimeSpan timeout,
        long maxStreamBytes,
        CancellationToken cancellationToken)
    {
        _maxStreamBytes = maxStreamBytes;
        _router = router;
        _context = context;
        _statistics = statistics;
        _callerCancellation = cancellationToken;
        _request = request;
        _requestId = request.RequestId!;
        _timeout = timeout;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _deadline.CancelAfter(timeout);
        _activity = FunctionTelemetry.Source.StartActivity($"function {Name}", ActivityKind.Internal);
        _activity?.SetTag("sse.function", Name);
        _activity?.SetTag("sse.request_id", _requestId);
    }

    /// <summary>How the invocation ended, once <see cref="ItemsAsync"/> has run to its end.</summary>
    public InvocationResult? Result { get; private set; }

    /// <summary>Starts the call and yields the answer's items as they arrive; then <see cref="Result"/> says how it ended.</summary>
    public async IAsyncEnumerable<string> ItemsAsync()
    {
        Result = await StartAsync();
        while (Result is null)
        {
            var (item, final) = await NextAsync();
            if (final is not null)
            {
                Result = final;
                yield break;
            }

            yield return item!;
        }
    }

    /// <summary>The result of a call whose items went elsewhere one by one: their total instead of the data.</summary>
    public InvocationResult RelayedResult(int total) =>
        Result! with { DataJson = Result!.Success ? null : Result.DataJson, Total = total };

    /// <summary>True when the function answered with a stream of items (NDJSON or SSE).</summary>
    public bool IsStreaming => _kind != AnswerKind.Plain;

    private string Name => _router.Definition.Name;

    /// <summary>Sends the request; returns the final result when the invocation already ended (refused, failed), else null.</summary>
    public async Task<InvocationResult?> StartAsync()
    {
        try
        {
            _slot = await _router.AcquireSlotAsync(_deadline.Token);
            if (!_slot.IsAcquired)
            {
                var routing = _router.Definition.Routing;
                return Complete(InvocationOutcome.Throttled, 0, null,
                    $"function '{Name}' is at its concurrency limit ({routing.MaxConcurrency}) and its queue ({routing.MaxQueue}) is full");
            }
        }
        catch (OperationCanceledException) when (TimedOut)
        {
            return Complete(InvocationOutcome.Throttled, 0, null,
                $"function '{Name}' had no free slot within {_timeout.TotalSeconds:0.###} s (max_concurrency {_router.Definition.Routing.MaxConcurrency})");
        }

        try
        {
            var client = _context.HttpClient;
            _response = await _router.SendAsync(
                client,
                endpoint => FunctionRequests.Create(_router.Definition, endpoint, _request, _requestId),
                DateTimeOffset.UtcNow + _timeout,
                _deadline.Token);
            _activity?.SetTag("sse.endpoint", _response.Endpoint.Url.GetLeftPart(UriPartial.Path));
            _activity?.SetTag("sse.retries", _response.Retries);
            var response = _response.Response;
            _statusCode = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var body = await ReadWholeAsync(response);
                return Complete(InvocationOutcome.FunctionError, _statusCode, FunctionResponseBody.ToJson(body, response.Content.Headers.ContentType),
                    $"function answered HTTP {_statusCode}");
            }

            _kind = AnswerKinds.Of(response.Content.Headers.ContentType);
            if (_kind == AnswerKind.Plain)
            {
                var body = await ReadWholeAsync(response);
                _plainJson = FunctionResponseBody.ToJson(body, response.Content.Headers.ContentType);
            }
            else
            {
                var stream = new AnswerLimitStream(await response.Content.ReadAsStreamAsync(_deadline.Token), _maxStreamBytes);
                _items = AnswerItems.ReadAsync(stream, _kind, _deadline.Token).GetAsyncEnumerator(_deadline.Token);
            }

            return null;
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>The next item as compact JSON, or (item null) the final result.</summary>
    public async Task<(string? Item, InvocationResult? Final)> NextAsync()
    {
        if (_kind == AnswerKind.Plain)
        {
            if (_plainJson is not null && _count == 0)
            {
                _count = 1;
                return (_plainJson, null);
            }

            return (null, Complete(InvocationOutcome.Succeeded, _statusCode, _plainJson, null));
        }

        try
        {
            if (!await _items!.MoveNextAsync())
            {
                return (null, Complete(InvocationOutcome.Succeeded, _statusCode, null, null));
            }

            if (_count >= _context.Options.MaxStreamItems)
            {
                return (null, Complete(InvocationOutcome.FunctionError, _statusCode, null,
                    $"the function's answer has more than {_context.Options.MaxStreamItems} items (Functions:MaxStreamItems)"));
            }

            _count++;
            return (_items.Current, null);
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            return (null, failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_items is not null)
        {
            await _items.DisposeAsync();
        }

        _response?.Dispose();
        _slot?.Dispose();
        _deadline.Dispose();
        _activity?.Dispose();
    }

    private bool TimedOut => _deadline.IsCancellationRequested;

    private async Task<byte[]> ReadWholeAsync(HttpResponseMessage response)
    {
        var limit = _context.Options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new AnswerTooLargeException(limit);
        }

        using var buffer = new MemoryStream();
        await using (var body = new AnswerLimitStream(await response.Content.ReadAsStreamAsync(_deadline.Token), limit))
        {
            await body.CopyToAsync(buffer, _deadline.Token);
        }

        return buffer.ToArray();
    }

    /// <summary>What an exception means for the invocation; null for the caller's own cancellation, which propagates.</summary>
    private InvocationResult? Failure(Exception exception) => exception switch
    {
        OperationCanceledException or TimeoutException when TimedOut && !_callerCancellation.IsCancellationRequested => Complete(InvocationOutcome.TimedOut, _statusCode, null,
            $"function did not answer within {_timeout.TotalSeconds:0.###} s"),
        OperationCanceledException => null,
        AnswerTooLargeException tooLarge => Complete(InvocationOutcome.FunctionError, _statusCode, null, tooLarge.Message),
        FunctionStreamException stream => Complete(InvocationOutcome.FunctionError, _statusCode, null, stream.Message),
        NoHealthyEndpointException none => Complete(InvocationOutcome.Unreachable, 0, null, none.Message),
        BrokenCircuitException => Complete(InvocationOutcome.Unreachable, 0, null, "every endpoint's circuit is open after repeated failures"),
        HttpRequestException { InnerException: EgressRefusedException refused } => Complete(InvocationOutcome.Unreachable, 0, null,
            "the endpoint is refused by the egress policy: " + refused.Message),
        HttpRequestException http when _items is null => Unreachable(http),
        IOException or HttpRequestException => Complete(InvocationOutcome.Unreachable, _statusCode, null,
            "the function's answer broke off before it ended"),
        _ => null,
    };

    private InvocationResult Unreachable(HttpRequestException exception)
    {
        // Details (addresses, TLS and DNS errors) go to the log, not to callers.
        _context.LogUnreachable(Name, _requestId, exception.Message);
        return Complete(InvocationOutcome.Unreachable, 0, null, $"function could not be reached ({exception.HttpRequestError})");
    }

    private InvocationResult Complete(InvocationOutcome outcome, int statusCode, string? dataJson, string? error)
    {
        var total = IsStreaming ? _count : (int?)null;
        var result = new InvocationResult(_requestId, Name, outcome, statusCode, dataJson, error, Stopwatch.GetElapsedTime(_started).TotalMilliseconds, total);
        _activity?.SetTag("sse.outcome", FunctionTelemetry.OutcomeName(outcome));
        if (!result.Success)
        {
            _activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        _context.Record(result, _statistics);
        return result;
    }
}
