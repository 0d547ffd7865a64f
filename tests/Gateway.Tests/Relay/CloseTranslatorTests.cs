using Gateway.Protocol;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

/// Contract section 4, row by row: the closes each event produces on each leg.
public sealed class CloseTranslatorTests
{
    [Theory]
    [InlineData(nameof(ProtocolError.UnmaskedFrame), 1002)]
    [InlineData(nameof(ProtocolError.InvalidUtf8), 1007)]
    [InlineData(nameof(ProtocolError.FrameTooLarge), 1009)]
    [InlineData(nameof(ProtocolError.MessageTooLarge), 1009)]
    public void Client_violation_closes_the_client_with_its_code_and_the_upstream_with_1001(string error, int code)
    {
        var e = Error(error);
        var plan = CloseTranslator.Translate(new RelayEvent(RelayEventKind.Violation, Side.Client, e));

        Assert.Equal(code, plan.ToClient!.Code);
        Assert.Equal(e.Message, plan.ToClient.Reason);
        Assert.Equal(1001, plan.ToUpstream!.Code);
    }

    [Theory]
    [InlineData(nameof(ProtocolError.MaskedFrame), 1002)]
    [InlineData(nameof(ProtocolError.InvalidUtf8), 1007)]
    [InlineData(nameof(ProtocolError.MessageTooLarge), 1009)]
    public void Upstream_violation_closes_the_client_with_1014_and_the_upstream_with_its_code(string error, int code)
    {
        var plan = CloseTranslator.Translate(new RelayEvent(RelayEventKind.Violation, Side.Upstream, Error(error)));

        Assert.Equal(1014, plan.ToClient!.Code);
        Assert.Equal(code, plan.ToUpstream!.Code);
    }

    [Fact]
    public void Client_close_goes_upstream_as_is_and_waits_for_the_upstream_reply()
    {
        var close = ClosingFrame.Create(4000, "done");
        var plan = CloseTranslator.Translate(new RelayEvent(RelayEventKind.PeerClosed, Side.Client, Close: close));

        Assert.Same(close, plan.ToUpstream);
        Assert.Null(plan.ToClient);
        Assert.True(plan.RelayUpstreamReply);
    }

    [Fact]
    public void Upstream_close_goes_to_the_client_as_is_and_the_upstream_gets_the_code_echoed()
    {
        var close = ClosingFrame.Create(4001, "bye");
        var plan = CloseTranslator.Translate(new RelayEvent(RelayEventKind.PeerClosed, Side.Upstream, Close: close));

        Assert.Same(close, plan.ToClient);
        Assert.Equal(4001, plan.ToUpstream!.Code);
        Assert.False(plan.RelayUpstreamReply);
    }

    [Fact]
    public void Empty_upstream_close_is_answered_with_an_empty_close()
    {
        var plan = CloseTranslator.Translate(new RelayEvent(RelayEventKind.PeerClosed, Side.Upstream, Close: ClosingFrame.Empty));

        Assert.True(plan.ToClient!.Payload.IsEmpty);
        Assert.True(plan.ToUpstream!.Payload.IsEmpty);
    }

    [Theory]
    [InlineData(RelayEventKind.PeerGone, Side.Client, null, 1001)]
    [InlineData(RelayEventKind.PeerGone, Side.Upstream, 1014, null)]
    [InlineData(RelayEventKind.PeerSilent, Side.Client, 1001, 1001)]
    [InlineData(RelayEventKind.PeerSilent, Side.Upstream, 1014, 1001)]
    [InlineData(RelayEventKind.IdleTimeout, Side.Client, 1001, 1001)]
    [InlineData(RelayEventKind.Draining, Side.Client, 1001, 1001)]
    [InlineData(RelayEventKind.Restarting, Side.Client, 1012, 1001)]
    public void Gateway_originated_closes_follow_the_table(RelayEventKind kind, Side side, int? toClient, int? toUpstream)
    {
        var plan = CloseTranslator.Translate(new RelayEvent(kind, side));

        Assert.Equal(toClient, (int?)plan.ToClient?.Code);
        Assert.Equal(toUpstream, (int?)plan.ToUpstream?.Code);
        Assert.All(new[] { plan.ToClient, plan.ToUpstream }.OfType<ClosingFrame>(), c =>
        {
            Assert.NotEmpty(c.Reason);
            Assert.True(c.Payload.Length <= 125);
        });
    }

    private static ProtocolError Error(string name) =>
        (ProtocolError)typeof(ProtocolError).GetProperty(name)?.GetValue(null)!
        ?? (ProtocolError)typeof(ProtocolError).GetField(name)!.GetValue(null)!;
}
