using System.Text;
using Gateway.Protocol.Handshake;
using Gateway.Upgrade;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Upgrade;

public sealed class RefusalWriterTests
{
    [Fact]
    public async Task A_refusal_is_its_status_its_headers_and_the_reason_as_one_line_of_text()
    {
        var (response, body) = await WriteAsync(Refusal.ShuttingDown("gateway is shutting down; retry later", TimeSpan.FromSeconds(5)));

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("5", response.Headers.RetryAfter);
        Assert.Equal("close", response.Headers.Connection);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.Equal("gateway is shutting down; retry later\n", body);
    }

    [Fact]
    public async Task A_relayed_upstream_answer_is_written_with_its_own_body_and_type()
    {
        var (response, body) = await WriteAsync(Refusal.Relayed(403, "<h1>no</h1>"u8.ToArray(), "text/html"));

        Assert.Equal(403, response.StatusCode);
        Assert.Equal("text/html", response.ContentType);
        Assert.Equal("<h1>no</h1>", body);
    }

    private static async Task<(HttpResponse Response, string Body)> WriteAsync(Refusal refusal)
    {
        var context = new DefaultHttpContext();
        var written = new MemoryStream();
        context.Response.Body = written;

        await RefusalWriter.WriteAsync(context.Response, refusal);

        return (context.Response, Encoding.UTF8.GetString(written.ToArray()));
    }
}
