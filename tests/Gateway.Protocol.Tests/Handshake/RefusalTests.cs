using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class RefusalTests
{
    [Theory]
    [InlineData(100, "1")] // never 0: a client would retry at once and be refused again
    [InlineData(1000, "1")]
    [InlineData(1001, "2")] // rounded up
    [InlineData(5000, "5")]
    public void Retry_after_is_whole_seconds_rounded_up(int milliseconds, string header)
    {
        var refusal = Refusal.TooManyRequests("slow down", TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(new Refusal(429, "slow down", [new("Retry-After", header)]), refusal);
    }

    [Fact]
    public void Each_case_has_the_status_and_headers_of_contract_section_3()
    {
        Assert.Equal(new Refusal(401, "r", [new("WWW-Authenticate", "Bearer")]), Refusal.Unauthorized("r", "Bearer"));
        Assert.Equal(new Refusal(426, "r", [new("Sec-WebSocket-Version", "13")]), Refusal.UnsupportedVersion("r"));
        Assert.Equal(new Refusal(503, "r", []), Refusal.Unavailable("r"));
        Assert.Equal(new Refusal(503, "r", [new("Retry-After", "5"), new("Connection", "close")]),
            Refusal.ShuttingDown("r", TimeSpan.FromSeconds(5)));
        Assert.Equal((502, 504, 404, 403), (Refusal.BadGateway("r").Status, Refusal.GatewayTimeout("r").Status,
            Refusal.NotFound("r").Status, Refusal.Forbidden("r").Status));
    }

    [Fact]
    public void A_relayed_answer_keeps_its_body_and_type_and_an_empty_one_gets_the_reason()
    {
        var body = "denied"u8.ToArray();

        var relayed = Refusal.Relayed(401, body, contentType: null);

        Assert.Equal((401, "upstream answered 401"), (relayed.Status, relayed.Reason));
        Assert.Equal("application/octet-stream", relayed.Body!.ContentType);
        Assert.Equal(body, relayed.Body.Bytes.ToArray());
        Assert.Null(Refusal.Relayed(404, ReadOnlyMemory<byte>.Empty, "text/html").Body);
    }
}
