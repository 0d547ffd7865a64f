namespace Gateway.Routing;

/// The current route table. New handshakes read it once at their start; a reload swaps it atomically.
public sealed class RouteTableHolder(RouteTable initial)
{
    private RouteTable _current = initial;

    public RouteTable Current => Volatile.Read(ref _current);

    public void Swap(RouteTable next) => Volatile.Write(ref _current, next);
}
