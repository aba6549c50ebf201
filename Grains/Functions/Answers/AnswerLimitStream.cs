namespace SseVirtualization.Grains.Functions.Answers;

/// <summary>Reads a function's answer and fails once more than the allowed bytes arrive, so no answer can exhaust memory.</summary>
internal sealed class AnswerLimitStream(Stream inner, long maxBytes) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        _read += read;
        return _read > maxBytes ? throw new AnswerTooLargeException(maxBytes) : read;
    }
}

/// <summary>The function's answer passed the configured size limit.</summary>
internal sealed class AnswerTooLargeException(long maxBytes)
    : IOException($"the function's answer is larger than the configured limit ({maxBytes} bytes)");

/// <summary>The function's stream ended with an error of its own, or was not well formed.</summary>
internal sealed class FunctionStreamException(string message) : IOException(message);
