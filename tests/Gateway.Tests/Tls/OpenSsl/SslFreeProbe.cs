using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Gateway.Tls.OpenSsl;

namespace Gateway.Tests.Tls.OpenSsl;

/// Counts the frees OpenSSL itself makes of an SSL or SSL_CTX: each marked object carries a marker in an ex_data
/// slot whose free callback OpenSSL calls from SSL_free and SSL_CTX_free when the object really goes (not when a
/// reference is dropped). The callback runs for every object of the kind in the process; only markers count.
internal static unsafe class SslFreeProbe
{
    private const int ExIndexSsl = 0; // CRYPTO_EX_INDEX_SSL
    private const int ExIndexSslContext = 1; // CRYPTO_EX_INDEX_SSL_CTX

    private static readonly ConcurrentDictionary<nint, int> s_frees = new();
    private static readonly int s_sslIndex = NewIndex(ExIndexSsl);
    private static readonly int s_contextIndex = NewIndex(ExIndexSslContext);
    private static long s_nextMarker = 0x5100;

    /// Marks a live SSL (a borrowed pointer); returns its marker.
    public static nint MarkSsl(nint ssl) => Mark(ssl, s_sslIndex, &LibSsl.SSL_set_ex_data);

    public static nint MarkContext(nint context) => Mark(context, s_contextIndex, &LibSsl.SSL_CTX_set_ex_data);

    /// How many times OpenSSL freed the object with this marker.
    public static int Frees(nint marker) => s_frees.GetValueOrDefault(marker);

    private static nint Mark(nint target, int index, delegate*<nint, int, nint, int> set)
    {
        var marker = (nint)Interlocked.Increment(ref s_nextMarker);
        s_frees[marker] = 0;
        if (set(target, index, marker) != 1)
        {
            throw new InvalidOperationException("OpenSSL refused the ex_data");
        }

        return marker;
    }

    private static int NewIndex(int kind)
    {
        int index = LibSsl.CRYPTO_get_ex_new_index(kind, 0, 0, 0, 0, &OnFree);
        return index >= 0 ? index : throw new InvalidOperationException("no ex_data index");
    }

    [UnmanagedCallersOnly]
    private static void OnFree(nint parent, nint data, nint exData, int index, long argl, nint argp)
    {
        if (data != 0 && s_frees.ContainsKey(data))
        {
            s_frees.AddOrUpdate(data, 1, (_, count) => count + 1);
        }
    }
}
