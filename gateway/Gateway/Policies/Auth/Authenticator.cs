using Gateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gateway.Policies.Auth;

/// Step (6) of a session: a route's `auth`. Any one method that admits is enough. Methods run cheapest first (a
/// certificate already checked by TLS, an API key digest, a JWT signature, then the external service, a network
/// round trip), and the first that admits stops the others. When none admits, the refusal of the first method that
/// saw credentials is the answer (its 401, 403 or 503); with no credentials at all, 401 with every challenge.
public sealed class Authenticator
{
    private readonly IReadOnlyList<IAuthMethod> _methods;
    private readonly string _challenges;

    public Authenticator(string route, AuthConfig config, AuthServices services)
    {
        var methods = new List<IAuthMethod>();
        if (config.ClientCertificate is { } certificate)
        {
            methods.Add(new ClientCertificateAuthenticator(route, certificate));
        }

        if (config.ApiKeys is { } apiKeys)
        {
            methods.Add(new ApiKeyAuthenticator(route, apiKeys));
        }

        if (config.Jwt is { } jwt)
        {
            methods.Add(new JwtAuthenticator(route, jwt, services));
        }

        if (config.External is { } external)
        {
            methods.Add(new ExternalAuthenticator(route, external, services));
        }

        _methods = methods;
        _challenges = string.Join(", ", methods.Select(m => m.Challenge));
    }

    public async ValueTask<AuthResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        AuthResult? first = null;
        foreach (var method in _methods)
        {
            var result = await method.AuthenticateAsync(context, cancellationToken);
            if (result.IsAdmitted)
            {
                return result;
            }

            if (result.SawCredentials && first is not { SawCredentials: true })
            {
                first = result;
            }
        }

        return first is { SawCredentials: true } ? first : AuthResult.Missing("credentials required", _challenges);
    }
}
