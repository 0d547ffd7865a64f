using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Gateway.Tls.OpenSsl;

namespace Gateway.Benchmarks.Tls;

/// <summary>
/// One TLS 1.3 record each way over loopback, as a wss:// session relays a batch of small messages: the client
/// writes a record, the server reads it and writes it back, the client reads it. The client is .NET's SslStream in
/// every case; the server is either SslStream (what the gateway terminates TLS with) or OpenSSL reading and writing
/// the socket itself (what nginx does). Everything runs on one thread with blocking sockets, so the time is CPU time
/// and the difference between the two is what the server side costs more per record pair.
/// </summary>
[MemoryDiagnoser]
public class TlsRecordBenchmarks
{
    private string _directory = "";
    private X509Certificate2 _serverCertificate = null!;
    private Socket _openSslSocket = null!;
    private SslContextHandle _openSslContext = null!;
    private SslHandle _openSsl = null!;
    private SslStream _clientOfSslStream = null!;
    private SslStream _sslStreamServer = null!;
    private SslStream _clientOfOpenSsl = null!;
    private byte[] _record = [];
    private byte[] _serverBuffer = [];
    private byte[] _clientBuffer = [];

    /// 576 B: about eight 64 B messages with their frame headers, the batch scenario (d) relays per record.
    [Params(576, 16 * 1024)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _record = new byte[RecordSize];
        new Random(42).NextBytes(_record);
        _serverBuffer = new byte[RecordSize];
        _clientBuffer = new byte[RecordSize];

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _directory = Directory.CreateTempSubdirectory("tls-bench").FullName;
        string certificatePath = Path.Combine(_directory, "cert.pem");
        string keyPath = Path.Combine(_directory, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        _serverCertificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();

        var (client, server) = Connect(listener);
        _clientOfSslStream = Client(client);
        _sslStreamServer = new SslStream(new NetworkStream(server, ownsSocket: true));
        var handshake = _clientOfSslStream.AuthenticateAsClientAsync(ClientOptions(_serverCertificate));
        _sslStreamServer.AuthenticateAsServer(_serverCertificate);
        handshake.GetAwaiter().GetResult();

        (client, _openSslSocket) = Connect(listener);
        _clientOfOpenSsl = Client(client);
        _openSslContext = LibSsl.ServerContextFromPemFiles(certificatePath, keyPath);
        handshake = _clientOfOpenSsl.AuthenticateAsClientAsync(ClientOptions(_serverCertificate));
        _openSsl = BlockingOpenSsl.Accept(_openSslContext, (int)_openSslSocket.Handle);
        handshake.GetAwaiter().GetResult();

        // The first read on each side takes the session tickets TLS 1.3 sends after the handshake.
        SslStreamServerEcho();
        OpenSslServerEcho();
    }

    [Benchmark(Baseline = true)]
    public int SslStreamServerEcho()
    {
        _clientOfSslStream.Write(_record);
        _sslStreamServer.ReadExactly(_serverBuffer);
        _sslStreamServer.Write(_serverBuffer);
        _clientOfSslStream.ReadExactly(_clientBuffer);
        return _clientBuffer[0];
    }

    [Benchmark]
    public async Task<int> SslStreamServerEchoAsync()
    {
        _clientOfSslStream.Write(_record);
        await _sslStreamServer.ReadExactlyAsync(_serverBuffer);
        await _sslStreamServer.WriteAsync(_serverBuffer);
        _clientOfSslStream.ReadExactly(_clientBuffer);
        return _clientBuffer[0];
    }

    [Benchmark]
    public int OpenSslServerEcho()
    {
        _clientOfOpenSsl.Write(_record);
        BlockingOpenSsl.ReadExactly(_openSsl, _serverBuffer);
        BlockingOpenSsl.Write(_openSsl, _serverBuffer);
        _clientOfOpenSsl.ReadExactly(_clientBuffer);
        return _clientBuffer[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientOfSslStream.Dispose();
        _clientOfOpenSsl.Dispose();
        _openSsl.Dispose();
        _openSslContext.Dispose();
        _openSslSocket.Dispose();
        _sslStreamServer.Dispose();
        _serverCertificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static (Socket Client, Socket Server) Connect(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        server.NoDelay = true;
        return (client, server);
    }

    private static SslStream Client(Socket socket) => new(new NetworkStream(socket, ownsSocket: true));

    private static SslClientAuthenticationOptions ClientOptions(X509Certificate2 expected) => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == expected.Thumbprint,
    };
}
