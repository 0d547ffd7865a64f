using Gateway.Transport;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Protocol.Handshake;
using Polly;
using Polly.Retry;

namespace Gateway.Upstream;

/// Opens the upstream leg of a session: TCP (and TLS for wss://) to the destination the load balancer picked, then
/// our own client handshake. Connect failures move on to the other destinations (Polly retry, `retries` times);
/// a destination that answered is never retried, whatever it answered.
public sealed class UpstreamConnector
{
    private static readonly ResiliencePropertyKey<IReadOnlyList<Uri>> CandidatesKey = new("gateway.candidates");

    private readonly Dictionary<int, ResiliencePipeline> _pipelines = [];

    /// `candidates`: the load balancer's pick first, then the other available destinations. Failure: why no session
    /// could be opened, as the client will see it (contract section 3): 502 (refused, failed after retries, invalid
    /// 101), 504 (no answer to the handshake in time), or the upstream's own non-101 status and body.
    public async Task<(UpstreamConnection? Connection, Refusal? Failure)> ConnectAsync(
        UpstreamConfig upstream, IReadOnlyList<Uri> candidates, UpstreamRequest request, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return (null, Refusal.BadGateway("no healthy upstream destination"));
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CandidatesKey, candidates);
        int attempt = 0;
        UpstreamLink stream;
        Uri destination;
        try
        {
            (stream, destination) = await PipelineFor(upstream.Retries).ExecuteAsync(
                async ctx =>
                {
                    var target = candidates[attempt++ % candidates.Count];
                    return (await OpenAsync(target, upstream.ConnectTimeout, ctx.CancellationToken), target);
                },
                context);
        }
        catch (UpstreamConnectException e)
        {
            return (null, Refusal.BadGateway(e.Message));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(upstream.HandshakeTimeout);
        try
        {
            var result = await UpstreamHandshake.RunAsync(stream, destination, request, timeout.Token);
            if (result.Connection is null)
            {
                await stream.DisposeAsync();
            }

            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            return (null, Refusal.GatewayTimeout($"upstream {destination.Authority} did not answer the handshake within {upstream.HandshakeTimeout.TotalSeconds:0.###}s"));
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await stream.DisposeAsync();
            return (null, Refusal.BadGateway($"upstream {destination.Authority} failed during the handshake"));
        }
        catch (ArgumentException e)
        {
            // A client header value the upstream request cannot carry (control or non-ASCII characters).
            await stream.DisposeAsync();
            return (null, Refusal.BadRequest("request cannot be forwarded: " + e.Message));
        }
        catch
        {
            // The client went away meanwhile (its request was aborted): nobody will relay on this connection.
            await stream.DisposeAsync();
            throw;
        }
    }

    private ResiliencePipeline PipelineFor(int retries)
    {
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(retries, out var pipeline))
            {
                var builder = new ResiliencePipelineBuilder();
                if (retries > 0)
                {
                    builder.AddRetry(new RetryStrategyOptions
                    {
                        MaxRetryAttempts = retries,
                        Delay = TimeSpan.Zero,
                        // Only another destination is worth a try right away; the same refused port is not.
                        ShouldHandle = args => ValueTask.FromResult(
                            args.Outcome.Exception is UpstreamConnectException &&
                            args.AttemptNumber + 1 < args.Context.Properties.GetValue(CandidatesKey, []).Count),
                    });
                }

                pipeline = builder.Build();
                _pipelines[retries] = pipeline;
            }

            return pipeline;
        }
    }

    /// The host's addresses in turn (as Socket.ConnectAsync(host, port) would), each connect without blocking: on
    /// our epoll loops for a socket the transport will run, through .NET's engine for one a TLS stream will (`tls`).
    private static async Task<Socket> ConnectAsync(string host, int port, bool tls, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                var endPoint = new IPEndPoint(address, port);
                if (tls)
                {
                    await socket.ConnectAsync(endPoint, cancellationToken);
                }
                else
                {
                    await SocketReadiness.ConnectAsync(socket, endPoint, cancellationToken);
                }

                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<UpstreamLink> OpenAsync(Uri destination, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        Socket socket;
        try
        {
            socket = await ConnectAsync(destination.IdnHost, destination.Port, tls: destination.Scheme == "wss", timeout.Token);
        }
        catch (SocketException e)
        {
            throw new UpstreamConnectException(destination, e.SocketErrorCode.ToString(), e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamConnectException(destination, "connect timeout");
        }

        if (destination.Scheme != "wss")
        {
            return UpstreamLink.Over(socket);
        }

        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = destination.IdnHost }, timeout.Token);
            return UpstreamLink.Over(tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await tls.DisposeAsync();
            throw new UpstreamConnectException(destination, "TLS handshake failed", e);
        }
        catch
        {
            await tls.DisposeAsync(); // the client went away meanwhile
            throw;
        }
    }
}
