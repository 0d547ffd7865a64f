using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gateway.Tls;

/// One connection after its TLS handshake: the SslStream over the socket's pipe, as a pipe again. Kestrel reads
/// and writes it through a HandoverPipe; a wss:// session takes it over after the 101 just as a ws:// one takes
/// its socket (ISessionHandoverFeature), so Kestrel frees its per-connection state while the session runs, and
/// the relay reads decrypted bytes from the same reader Kestrel parsed the request from.
internal sealed class TlsConnection : IOwnedConnection, ISessionHandoverFeature, ITlsConnectionFeature,
    ITlsHandshakeFeature, ITlsApplicationProtocolFeature, ISslStreamFeature, IPeerLossNotice
{
    private readonly SslStream _ssl;
    private readonly SocketPipe _socket;

    /// Until the take-over only: Kestrel hangs its per-connection state on it, which a session must not keep alive.
    private ISocketConnectionFeature? _connection;
    private readonly HandoverPipe _kestrelView;
    private int _disposed;

    public TlsConnection(SslStream ssl, ISocketConnectionFeature connection)
    {
        _ssl = ssl;
        _connection = connection;
        _socket = connection.Pipe;
        var pool = LargeBlockMemoryPool.Instance;
        // Zero-byte reads: a read waits for data before it takes a block, so an idle session holds none.
        Input = PipeReader.Create(ssl, new StreamPipeReaderOptions(pool, LargeBlockMemoryPool.BlockSize,
            minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(pool, LargeBlockMemoryPool.BlockSize, leaveOpen: true));
        _kestrelView = new HandoverPipe(this);
        ClientCertificate = ClientCertificates.AsCertificate2(ssl.RemoteCertificate);
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }

    /// What Kestrel reads and writes.
    public IDuplexPipe KestrelView => _kestrelView;

    public bool IsHandedOver => _kestrelView.IsHandedOver;

    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    public SslProtocols Protocol => _ssl.SslProtocol;

    public System.Net.Security.TlsCipherSuite? NegotiatedCipherSuite => _ssl.NegotiatedCipherSuite;

    public string HostName => _ssl.TargetHostName;

#pragma warning disable SYSLIB0058 // required by the interface; the cipher suite above is what to use
    public CipherAlgorithmType CipherAlgorithm => _ssl.CipherAlgorithm;
    public int CipherStrength => _ssl.CipherStrength;
    public HashAlgorithmType HashAlgorithm => _ssl.HashAlgorithm;
    public int HashStrength => _ssl.HashStrength;
    public ExchangeAlgorithmType KeyExchangeAlgorithm => _ssl.KeyExchangeAlgorithm;
    public int KeyExchangeStrength => _ssl.KeyExchangeStrength;
#pragma warning restore SYSLIB0058

    public ReadOnlyMemory<byte> ApplicationProtocol => _ssl.NegotiatedApplicationProtocol.Protocol;

    public SslStream SslStream => _ssl;

    /// Kestrel's view ends; the socket under TLS is read on demand from now on. The 101 went out through the same
    /// writer, flushed, before the caller asked.
    public async ValueTask<IOwnedConnection> TakeOverAsync()
    {
        _kestrelView.HandOver();
        await Interlocked.Exchange(ref _connection, null)!.TakeOverAsync();
        return this;
    }

    public void Abort() => _socket.Abort();

    public void OnPeerLost(Action<object> callback, object state) => _socket.OnPeerLost(callback, state);

    /// Frees the TLS state; the socket is closed by its owner: the session after a take-over, else Kestrel.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await Output.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        await Input.CompleteAsync();
        await _ssl.DisposeAsync();
        if (IsHandedOver)
        {
            await _socket.DisposeAsync();
        }
    }
}
