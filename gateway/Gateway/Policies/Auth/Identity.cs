using Gateway.Protocol.Handshake;

namespace Gateway.Policies.Auth;

/// Who a verified client is, as the upstream may be told (forward.identity_headers): X-Auth-Subject, X-Auth-Method,
/// and whatever else the method adds (the issuer of a token, X-Auth-* headers from an external auth service).
public sealed record Identity(string Method, string Subject, IReadOnlyList<KeyValuePair<string, string>> Extra)
{
    public const string SubjectHeader = "X-Auth-Subject";
    public const string MethodHeader = "X-Auth-Method";

    public IEnumerable<KeyValuePair<string, string>> Headers()
    {
        yield return new(SubjectHeader, HeaderSafe(Subject));
        yield return new(MethodHeader, Method);
        foreach (var (name, value) in Extra)
        {
            yield return new(name, HeaderSafe(value));
        }
    }

    /// A subject comes from a token or a certificate the client chose: anything but visible ASCII (a CR or LF would
    /// start a new header line upstream, RFC 9112 section 2.2) is percent-encoded.
    private static string HeaderSafe(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                return Uri.EscapeDataString(value);
            }
        }

        return value;
    }
}

/// One auth method's answer: admitted with an Identity, or a Refusal. SawCredentials: the client presented something
/// for this method (a token, a key, a certificate), so its refusal says more than "none given" and wins over the others'.
public sealed record AuthResult(Refusal? Refusal, Identity? Identity, bool SawCredentials)
{
    public bool IsAdmitted => Refusal is null;

    public static AuthResult Admit(Identity identity) => new(null, identity, true);

    public static AuthResult Missing(string reason, string challenge) => new(Refusal.Unauthorized(reason, challenge), null, false);

    public static AuthResult Refuse(Refusal refusal) => new(refusal, null, true);
}

/// One method of `auth`. Challenge: its WWW-Authenticate challenge (RFC 9110 11.6.1) when no credentials came.
public interface IAuthMethod
{
    string Challenge { get; }

    ValueTask<AuthResult> AuthenticateAsync(Microsoft.AspNetCore.Http.HttpContext context, CancellationToken cancellationToken);
}
