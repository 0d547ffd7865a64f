using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using Gateway.Protocol.Handshake;
using Microsoft.AspNetCore.Http;

namespace Gateway.Policies.Auth;

/// `auth.client_certificate`: the TLS client certificate, already chain-validated against the listener's `ca` during
/// the TLS handshake, must have a subject matching one of the patterns. A pattern matches the whole subject
/// ("CN=robot-1, O=Example") or any one of its parts ("CN=robot-*"); `*` matches any run of characters.
public sealed class ClientCertificateAuthenticator(string route, ClientCertificateAuthConfig config) : IAuthMethod
{
    public const string MethodName = "client_certificate";

    public string Challenge { get; } = Challenges.ClientCertificate(route);

    public ValueTask<AuthResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Check(context.Connection.ClientCertificate));

    public AuthResult Check(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return AuthResult.Missing("client certificate required", Challenge);
        }

        string subject = certificate.Subject;
        foreach (var pattern in config.Subjects)
        {
            if (SubjectMatches(pattern, subject))
            {
                return AuthResult.Admit(new Identity(MethodName, subject, []));
            }
        }

        return AuthResult.Refuse(Refusal.Forbidden("client certificate subject not allowed"));
    }

    public static bool SubjectMatches(string pattern, string subject)
    {
        if (Glob.Matches(pattern, subject))
        {
            return true;
        }

        foreach (var part in subject.Split(", "))
        {
            if (Glob.Matches(pattern, part))
            {
                return true;
            }
        }

        return false;
    }
}

/// `*` matches any run of characters; everything else matches itself, ignoring ASCII case (RFC 4517 4.2.15
/// compares distinguished name values without case).
internal static class Glob
{
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern.Equals(text, StringComparison.OrdinalIgnoreCase);
        }

        if (!text.StartsWith(pattern[..star], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = pattern[(star + 1)..];
        for (int at = star; at <= text.Length; at++)
        {
            if (Matches(rest, text[at..]))
            {
                return true;
            }
        }

        return false;
    }
}
