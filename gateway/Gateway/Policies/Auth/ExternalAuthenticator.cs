using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Protocol.Handshake;
using Microsoft.AspNetCore.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.Policies.Auth;

/// `auth.external`, like nginx auth_request and Traefik forwardAuth: a GET to `url` with the selected client headers
/// and the X-Forwarded-* of the request. 2xx admits (its X-Auth-* response headers describe the identity); 401 and
/// 403 are relayed; anything else, a timeout or an error fails closed with 503. A Polly circuit breaker stops calling
/// a service that keeps failing, so a dead auth service costs clients no timeout each.
public sealed class ExternalAuthenticator : IAuthMethod
{
    public const string MethodName = "external";

    /// Half of the calls failing over at least 10 calls in 30 s opens the circuit for 10 s: Polly's own defaults,
    /// except the minimum throughput, raised so a couple of slow calls at a quiet hour do not lock everyone out.
    private const double FailureRatio = 0.5;
    private const int MinimumThroughput = 10;
    private static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(10);

    private readonly string _route;
    private readonly ExternalAuthConfig _config;
    private readonly AuthServices _services;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ExternalAuthenticator(string route, ExternalAuthConfig config, AuthServices services)
    {
        _route = route;
        _config = config;
        _services = services;
        Challenge = Challenges.External(route);
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = FailureRatio,
                MinimumThroughput = MinimumThroughput,
                SamplingDuration = SamplingDuration,
                BreakDuration = BreakDuration,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500),
            })
            .AddTimeout(config.Timeout)
            .Build();
    }

    public string Challenge { get; }

    public async ValueTask<AuthResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using var request = BuildRequest(context.Request, context.Connection.RemoteIpAddress?.ToString());
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Http.SendAsync(state.Request, HttpCompletionOption.ResponseHeadersRead, token),
                (Http: _services.Http, Request: request),
                cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException)
        {
            Log.ExternalAuthFailed(_services.Logger, _config.Url.GetLeftPart(UriPartial.Path), e is BrokenCircuitException
                ? "circuit open after repeated failures" : e.Message);
            return AuthResult.Refuse(Refusal.Unavailable("auth service unavailable",
                e is BrokenCircuitException ? BreakDuration : null));
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return AuthResult.Admit(IdentityFrom(response));
            }

            if (status == StatusCodes.Status401Unauthorized)
            {
                string challenge = response.Headers.WwwAuthenticate.ToString();
                return AuthResult.Refuse(Refusal.Unauthorized("refused by the auth service", challenge.Length > 0 ? challenge : Challenge));
            }

            if (status == StatusCodes.Status403Forbidden)
            {
                return AuthResult.Refuse(Refusal.Forbidden("forbidden by the auth service"));
            }

            Log.ExternalAuthFailed(_services.Logger, _config.Url.GetLeftPart(UriPartial.Path), $"answered {status}");
            return AuthResult.Refuse(Refusal.Unavailable("auth service unavailable"));
        }
    }

    private HttpRequestMessage BuildRequest(HttpRequest request, string? client)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, _config.Url);
        foreach (var name in _config.ForwardHeaders)
        {
            var values = request.Headers[name];
            if (values.Count > 0)
            {
                message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // What Traefik's forwardAuth sends, so existing auth services understand the request they are asked about.
        message.Headers.TryAddWithoutValidation("X-Forwarded-Method", request.Method);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.IsHttps ? "https" : "http");
        message.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Uri", request.Path.Value + request.QueryString.Value);
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        return message;
    }

    private static Identity IdentityFrom(HttpResponseMessage response)
    {
        string subject = "";
        var extra = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers)
        {
            if (!name.StartsWith("X-Auth-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string value = string.Join(", ", values);
            if (name.Equals(Identity.SubjectHeader, StringComparison.OrdinalIgnoreCase))
            {
                subject = value;
            }
            else if (!name.Equals(Identity.MethodHeader, StringComparison.OrdinalIgnoreCase))
            {
                extra.Add(new(name, value));
            }
        }

        return new Identity(MethodName, subject, extra);
    }
}
