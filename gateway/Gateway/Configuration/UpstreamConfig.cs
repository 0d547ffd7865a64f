namespace Gateway.Configuration;

public sealed record UpstreamConfig(string Name, IReadOnlyList<Uri> Destinations, LoadBalancing LoadBalancing,
    TimeSpan ConnectTimeout, TimeSpan HandshakeTimeout, int Retries)
{
    /// <summary>YARP's own default policy: two random picks, the less loaded wins; no herding, no shared state.</summary>
    public const LoadBalancing DefaultLoadBalancing = LoadBalancing.PowerOfTwoChoices;

    /// <summary>5 s (contract section 2): nginx's 60 s proxy_connect_timeout is longer than a client waits for a 101.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>5 s (contract section 2): from TCP connected to the upstream's 101.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>2 (contract section 2): with the first attempt, three destinations tried before a 502.</summary>
    public const int DefaultRetries = 2;
}

public enum LoadBalancing { PowerOfTwoChoices, RoundRobin, LeastRequests, Random, First }
