using System.Runtime.CompilerServices;
using Gateway.Tls.OpenSsl;

namespace Gateway.Tests.Tls.OpenSsl;

/// The SafeHandles that own OpenSSL's objects, against OpenSSL's own frees (SslFreeProbe): once, never under a call
/// that holds the handle, and a context outlives its handle while a connection made from it lives (a reload).
public sealed class SslHandlesTests
{
    [Fact]
    public void A_connection_disposed_twice_is_freed_once()
    {
        using var context = NewContext();
        var ssl = LibSsl.SSL_new(context);
        Assert.False(ssl.IsInvalid);
        var marker = SslFreeProbe.MarkSsl(ssl.DangerousGetHandle());

        ssl.Dispose();
        ssl.Dispose();

        Assert.Equal(1, SslFreeProbe.Frees(marker));
    }

    [Fact]
    public void A_context_disposed_twice_is_freed_once()
    {
        var context = NewContext();
        var marker = SslFreeProbe.MarkContext(context.DangerousGetHandle());

        context.Dispose();
        context.Dispose();

        Assert.Equal(1, SslFreeProbe.Frees(marker));
    }

    [Fact]
    public void A_connection_in_use_is_freed_when_the_call_lets_it_go_and_no_later_call_gets_it()
    {
        using var context = NewContext();
        var ssl = LibSsl.SSL_new(context);
        var marker = SslFreeProbe.MarkSsl(ssl.DangerousGetHandle());
        bool added = false;
        ssl.DangerousAddRef(ref added); // what the marshaller does for the length of a call

        ssl.Dispose();
        ssl.Dispose();
        Assert.Equal(0, SslFreeProbe.Frees(marker));

        ssl.DangerousRelease();
        Assert.Equal(1, SslFreeProbe.Frees(marker));
        Assert.True(ssl.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => LibSsl.SSL_version(ssl)); // the marshaller refuses a freed handle
    }

    [Fact]
    public void A_context_whose_handle_is_freed_lives_until_the_last_connection_made_from_it_is_freed()
    {
        var context = NewContext();
        var contextMarker = SslFreeProbe.MarkContext(context.DangerousGetHandle());
        var ssl = LibSsl.SSL_new(context);

        context.Dispose(); // a reload drops the old contexts while sessions still run on them
        Assert.Equal(0, SslFreeProbe.Frees(contextMarker));
        Assert.Equal(LibSsl.Tls13Version, LibSsl.SSL_version(ssl)); // read from the context's method: still whole

        ssl.Dispose();
        Assert.Equal(1, SslFreeProbe.Frees(contextMarker));
    }

    [Fact]
    public void A_connection_nobody_disposed_is_freed_by_its_finalizer()
    {
        using var context = NewContext();
        var marker = Abandon(context);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(1, SslFreeProbe.Frees(marker));
    }

    [Fact]
    public void An_OpenSSL_call_that_fails_returns_an_invalid_handle_to_dispose()
    {
        using var context = LibSsl.SSL_CTX_new(0); // no method: OpenSSL refuses it and says why in the queue
        Assert.True(context.IsInvalid);
        Assert.NotEqual("none", LibSsl.DrainErrors("none"));
        Assert.Equal(0ul, LibSsl.ERR_peek_error()); // drained
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint Abandon(SslContextHandle context)
    {
        var ssl = LibSsl.SSL_new(context);
        return SslFreeProbe.MarkSsl(ssl.DangerousGetHandle());
    }

    private static SslContextHandle NewContext()
    {
        var context = LibSsl.SSL_CTX_new(LibSsl.TLS_server_method());
        Assert.False(context.IsInvalid);
        return context;
    }
}
