namespace Gateway.Configuration.Validation;

/// <summary>
/// The keys one kind of mapping accepts. <see cref="NotYetSupported"/> are keys the contract (section 2) defines
/// but this version does not implement: they are rejected by name, never ignored, so an operator learns the key is
/// right and the feature is missing.
/// </summary>
internal sealed record ConfigSection(string Name, IReadOnlyList<string> Keys, IReadOnlyList<string> NotYetSupported);

/// <summary>
/// Every mapping of gateway.yaml in one place. When a feature lands, move its key from the NotYetSupported list
/// to the Keys list and read it in the section's validator.
/// </summary>
internal static class ConfigSections
{
    public static readonly ConfigSection Root = new("(root)",
        ["listen", "admin", "defaults", "routes", "upstreams", "demo", "shutdown_grace", "logging"], []);

    public static readonly ConfigSection Listener = new("listen[]", ["address", "tls", "redirect_to_https", "handshake_timeout"], []);

    public static readonly ConfigSection Tls = new("listen[].tls",
        ["certificates", "min_version", "client_certificates"],
        NotYetSupported: ["acme"]);

    public static readonly ConfigSection ClientCertificates = new("listen[].tls.client_certificates", ["mode", "ca"], []);

    public static readonly ConfigSection Certificate = new("listen[].tls.certificates[]", ["cert", "key", "password", "hosts", "self_signed_if_missing"], []);

    public static readonly ConfigSection Defaults = new("defaults", ["limits"], []);

    public static readonly ConfigSection Limits = new("limits",
        ["max_frame_size", "max_message_size", "idle_timeout", "ping_interval", "close_timeout",
         "max_connections", "max_connections_per_ip", "handshakes_per_ip", "messages_per_connection"], []);

    public static readonly ConfigSection Rate = new("limits rate", ["rate", "per", "burst"], []);

    public static readonly ConfigSection Route = new("routes[]",
        ["name", "match", "upstream", "subprotocols", "limits", "origins", "allow_missing_origin", "auth", "forward"], []);

    public static readonly ConfigSection Auth = new("routes[].auth", ["jwt", "api_keys", "client_certificate", "external"], []);

    public static readonly ConfigSection Jwt = new("routes[].auth.jwt",
        ["algorithms", "keys", "jwks_url", "public_key", "secret", "issuer", "audience", "required_claims", "token_from"], []);

    public static readonly ConfigSection ApiKeys = new("routes[].auth.api_keys", ["header", "query", "keys_file"], []);

    public static readonly ConfigSection ClientCertificateAuth = new("routes[].auth.client_certificate", ["subjects"], []);

    public static readonly ConfigSection ExternalAuth = new("routes[].auth.external", ["url", "timeout", "forward_headers"], []);

    public static readonly ConfigSection Forward = new("routes[].forward", ["headers", "identity_headers"], []);

    public static readonly ConfigSection RouteMatch = new("routes[].match", ["host", "path"], []);

    public static readonly ConfigSection Upstream = new("upstreams.*",
        ["destinations", "load_balancing", "connect_timeout", "handshake_timeout", "retries"],
        NotYetSupported: ["health_check", "tls"]);

    public static readonly ConfigSection Demo = new("demo", ["echo_address"], []);

    public static readonly ConfigSection Admin = new("admin", ["address"], []);

    public static readonly ConfigSection Logging = new("logging", ["format"], []);
}
