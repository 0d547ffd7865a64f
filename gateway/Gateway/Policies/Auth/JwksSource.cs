using Gateway.Diagnostics;
using Microsoft.IdentityModel.Tokens;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Gateway.Policies.Auth;

/// The keys of a `jwks_url` (RFC 7517 section 5): fetched on first use under a Polly timeout and retry, cached, and
/// fetched again when they are old or when a token names a key id (`kid`) that is not among them, which is how an
/// identity provider's key rotation reaches the gateway. A failed fetch keeps the keys it had.
public sealed class JwksSource
{
    /// 1 h: identity providers publish a new key well before signing with it, and unknown kids refresh at once anyway.
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    /// 1 s between refreshes for unknown kids: tokens with made-up kids cost the identity provider one request per second at most.
    public static readonly TimeSpan UnknownKidCooldown = TimeSpan.FromSeconds(1);

    /// 3 s per attempt, 2 retries 200 ms apart: within the 5 s a client typically waits for its 101.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);
    private const int Retries = 2;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly Uri _url;
    private readonly AuthServices _services;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private IReadOnlyList<SecurityKey>? _keys;
    private long _fetchedAt;
    private long _lastAttempt = long.MinValue;

    public JwksSource(Uri url, AuthServices services)
    {
        _url = url;
        _services = services;
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Retries,
                Delay = RetryDelay,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(AttemptTimeout)
            .Build();
    }

    /// Keys to verify a token with key id `kid` (null: the token names none). Null when none could ever be fetched.
    public async ValueTask<IReadOnlyList<SecurityKey>?> GetKeysAsync(string? kid, CancellationToken cancellationToken)
    {
        var keys = Volatile.Read(ref _keys);
        long now = Environment.TickCount64;
        bool stale = keys is null || now - Volatile.Read(ref _fetchedAt) > (long)MaxAge.TotalMilliseconds;
        bool unknownKid = keys is not null && kid is not null && !keys.Any(k => k.KeyId == kid);
        if (stale || (unknownKid && now - Volatile.Read(ref _lastAttempt) >= (long)UnknownKidCooldown.TotalMilliseconds))
        {
            await RefreshAsync(keys, cancellationToken);
        }

        return Volatile.Read(ref _keys);
    }

    private async Task RefreshAsync(IReadOnlyList<SecurityKey>? seen, CancellationToken cancellationToken)
    {
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (!ReferenceEquals(seen, Volatile.Read(ref _keys)))
            {
                return; // another handshake refreshed while this one waited
            }

            Volatile.Write(ref _lastAttempt, Environment.TickCount64);
            try
            {
                string json = await _pipeline.ExecuteAsync(async token => await _services.Http.GetStringAsync(_url, token), cancellationToken);
                var keys = new JsonWebKeySet(json).GetSigningKeys();
                Volatile.Write(ref _keys, [.. keys]);
                Volatile.Write(ref _fetchedAt, Environment.TickCount64);
                Log.JwksFetched(_services.Logger, _url.GetLeftPart(UriPartial.Path), keys.Count);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or ArgumentException or InvalidOperationException)
            {
                Log.JwksFetchFailed(_services.Logger, _url.GetLeftPart(UriPartial.Path), e.Message);
            }
        }
        finally
        {
            _fetching.Release();
        }
    }
}
