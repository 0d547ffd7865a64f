using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public sealed class RequestHeadChecksTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/chat?room=1&x=%00")] // an escaped NUL is the upstream's business, not a raw control byte
    [InlineData("http://example.com/chat")]
    [InlineData("wss+x.y-z://example.com/")]
    [InlineData("*")]
    public void Targets_in_a_form_of_RFC_9112_pass(string target)
    {
        Assert.Null(RequestHeadChecks.TargetProblem(target));
    }

    [Theory]
    [InlineData("/ch\u0001at")]
    [InlineData("/chat\t")]
    [InlineData("/chat\u007f")]
    [InlineData("/\u0000")]
    public void Control_characters_anywhere_are_refused(string target)
    {
        Assert.Equal("the request target contains control characters", RequestHeadChecks.TargetProblem(target));
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("example.com:443")] // authority-form is for CONNECT, which the gateway does not proxy
    [InlineData("://example.com/")]
    [InlineData("1http://example.com/")]
    [InlineData("ht tp://example.com/")]
    [InlineData("")]
    public void Targets_in_no_form_are_refused(string target)
    {
        Assert.Equal("the request target is neither a path (origin-form) nor an absolute URL", RequestHeadChecks.TargetProblem(target));
    }
}
