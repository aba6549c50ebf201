using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Tests.Http;

public sealed class EventStreamResultTests
{
    private static async Task<List<SseItem<string>>> RoundTripAsync(params SseItem<string>[] items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var item in items)
        {
            EventStreamResult.Write(buffer, item);
        }

        var parsed = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(new MemoryStream(buffer.WrittenMemory.ToArray())).EnumerateAsync())
        {
            parsed.Add(item);
        }

        return parsed;
    }

    [Fact]
    public async Task Type_id_retry_and_data_reach_a_standard_parser_unchanged()
    {
        var parsed = await RoundTripAsync(
            new SseItem<string>("""{"client_id":"a","message":"héllo ✓"}""", "connected") { ReconnectionInterval = TimeSpan.FromSeconds(3) },
            new SseItem<string>("""{"request_id":"r1"}""", "function_response") { EventId = "42" });

        Assert.Equal(2, parsed.Count);
        Assert.Equal("connected", parsed[0].EventType);
        Assert.Equal("""{"client_id":"a","message":"héllo ✓"}""", parsed[0].Data);
        Assert.Equal(TimeSpan.FromSeconds(3), parsed[0].ReconnectionInterval);
        Assert.Equal("function_response", parsed[1].EventType);
        Assert.Equal("42", parsed[1].EventId);
        Assert.Equal("""{"request_id":"r1"}""", parsed[1].Data);
    }

    [Theory]
    [InlineData("one\ntwo")]
    [InlineData("one\r\ntwo\r\nthree")]
    [InlineData("one\rtwo")]
    [InlineData("trailing\n")]
    public async Task Data_with_line_breaks_stays_one_event_with_the_same_lines(string data)
    {
        var parsed = await RoundTripAsync(new SseItem<string>(data, "function_result"), new SseItem<string>("next", "heartbeat"));

        Assert.Equal(2, parsed.Count);
        Assert.Equal(data.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), parsed[0].Data);
        Assert.Equal("next", parsed[1].Data);
    }

    [Fact]
    public void Frames_are_plain_sse_text()
    {
        var buffer = new ArrayBufferWriter<byte>();
        EventStreamResult.Write(buffer, new SseItem<string>("{}", "heartbeat"));

        Assert.Equal("event: heartbeat\ndata: {}\n\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
