using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gateway.Policies;

/// What one upgrade policy decided: admitted, or refused with the status, plain-text reason and extra headers of
/// contract section 3 (WWW-Authenticate with 401, Retry-After with 429 and 503). The reason is the body the
/// client reads and the text the log line carries, so it never holds a token, a key or a secret.
public sealed record PolicyOutcome(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    private const int AdmittedStatus = 0;

    public static PolicyOutcome Admitted { get; } = new(AdmittedStatus, "", []);

    public bool IsAdmitted => Status == AdmittedStatus;

    public static PolicyOutcome Forbidden(string reason) => new(StatusCodes.Status403Forbidden, reason, []);

    /// RFC 9110 11.6.1: a 401 MUST carry at least one challenge.
    public static PolicyOutcome Unauthorized(string reason, string challenge) =>
        new(StatusCodes.Status401Unauthorized, reason, [new("WWW-Authenticate", challenge)]);

    public static PolicyOutcome TooManyRequests(string reason, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, reason, [RetryAfter(retryAfter)]);

    public static PolicyOutcome Unavailable(string reason, TimeSpan? retryAfter = null) =>
        new(StatusCodes.Status503ServiceUnavailable, reason, retryAfter is { } after ? [RetryAfter(after)] : []);

    /// RFC 9110 10.2.3: Retry-After in whole seconds; rounded up so a client that obeys it is not refused again.
    private static KeyValuePair<string, string> RetryAfter(TimeSpan after) =>
        new("Retry-After", Math.Max(1, (long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    /// Writes the refusal the way every refused upgrade is written: status, headers, a one-line text body.
    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers.Append(name, value);
        }

        response.ContentType = "text/plain; charset=utf-8";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(Reason + "\n"));
    }
}
