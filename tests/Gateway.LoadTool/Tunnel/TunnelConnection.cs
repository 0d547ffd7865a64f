using System.Runtime.InteropServices;
using static Gateway.LoadTool.Tunnel.Native;
using static Gateway.Testing.Tls.LibSsl;

namespace Gateway.LoadTool.Tunnel;

/// One client of EpollTunnel: the TLS handshake if it came to the TLS listener (`ssl` not 0), then the upstream
/// connect, then bytes both ways, through OpenSSL on the client's side over TLS. Level-triggered
/// epoll: a side is watched for reading while nothing read from it waits to go out, and for writing while
/// something does, so a slow side holds the other back and nothing is buffered beyond one block each way.
internal sealed unsafe class TunnelConnection
{
    private const int BlockSize = 16 * 1024;
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL

    private readonly TunnelLoop _loop;
    private readonly int _slot;
    private readonly int _client;
    private readonly nint _ssl;
    private readonly byte* _toUpstream = (byte*)NativeMemory.Alloc(BlockSize);
    private readonly byte* _toClient = (byte*)NativeMemory.Alloc(BlockSize);
    private int _upstream = -1;
    private Phase _phase;
    private int _toUpstreamStart;
    private int _toUpstreamEnd;
    private int _toClientStart;
    private int _toClientLength;
    private uint _clientInterest = EpollIn;
    private uint _upstreamInterest = EpollOut;

    public TunnelConnection(TunnelLoop loop, int slot, int client, nint ssl)
    {
        _loop = loop;
        _slot = slot;
        _client = client;
        _ssl = ssl;
        if (ssl != 0)
        {
            SSL_set_fd(ssl, client);
        }
    }

    private enum Phase
    {
        Handshake,
        Connecting,
        Relay,
        Closed,
    }

    /// Right after the accept: over TLS the ClientHello is often there already; a plain client needs its upstream.
    public void Start()
    {
        if (_ssl != 0)
        {
            Handshake();
        }
        else
        {
            ConnectUpstream();
        }
    }

    public void OnEvent(int side, uint events)
    {
        switch (_phase)
        {
            case Phase.Handshake when side == 0:
                Handshake();
                break;
            case Phase.Connecting when side == 1:
                _phase = Phase.Relay;
                ReadClient();
                break;
            case Phase.Connecting:
                if ((events & EpollErrorOrHangUp) != 0) // the client left while the upstream connects
                {
                    Close();
                }

                break;
            case Phase.Relay when side == 0:
                if (_toClientLength > 0 && !FlushToClient())
                {
                    return;
                }

                ReadClient();
                break;
            case Phase.Relay:
                if (_toUpstreamEnd > 0)
                {
                    if (!FlushToUpstream())
                    {
                        return;
                    }

                    ReadClient();
                    if (_phase == Phase.Closed)
                    {
                        return;
                    }
                }

                if (_toClientLength == 0)
                {
                    ReadUpstream();
                }

                break;
        }
    }

    private void Handshake()
    {
        int result = SSL_accept(_ssl);
        if (result == 1)
        {
            ConnectUpstream();
            return;
        }

        switch (SSL_get_error(_ssl, result))
        {
            case ErrorWantRead:
                Watch(ref _clientInterest, _client, EpollIn, 0);
                break;
            case ErrorWantWrite:
                Watch(ref _clientInterest, _client, EpollOut, 0);
                break;
            default:
                Close();
                break;
        }
    }

    private void ConnectUpstream()
    {
        _upstream = _loop.ConnectUpstream();
        if (_upstream < 0)
        {
            Close();
            return;
        }

        _phase = Phase.Connecting;
        Watch(ref _clientInterest, _client, 0, 0);
        _loop.Add(_upstream, EpollOut, ((ulong)_slot << 1) | 1);
    }

    /// Sends upstream what the client sent (decrypted over TLS), until the client has no more or the upstream is full.
    private void ReadClient()
    {
        while (_toUpstreamEnd == 0)
        {
            int read = ReceiveFromClient();
            if (read < 0)
            {
                Close();
                return;
            }

            if (read == 0)
            {
                break; // nothing more for now
            }

            _toUpstreamStart = 0;
            _toUpstreamEnd = read;
            if (!FlushToUpstream())
            {
                return;
            }
        }

        UpdateInterests();
    }

    /// False if the connection closed.
    private bool FlushToUpstream()
    {
        nint sent = send(_upstream, _toUpstream + _toUpstreamStart, _toUpstreamEnd - _toUpstreamStart, NoSignal);
        if (sent < 0)
        {
            if (Marshal.GetLastPInvokeError() != EAgain)
            {
                Close();
                return false;
            }

            sent = 0;
        }

        _toUpstreamStart += (int)sent;
        if (_toUpstreamStart == _toUpstreamEnd)
        {
            _toUpstreamStart = _toUpstreamEnd = 0;
        }

        UpdateInterests();
        return true;
    }

    /// Bytes read, 0 if none are there yet, -1 if the client is gone.
    private int ReceiveFromClient()
    {
        if (_ssl != 0)
        {
            int read = SSL_read(_ssl, _toUpstream, BlockSize);
            return read > 0 ? read : SSL_get_error(_ssl, read) is ErrorWantRead or ErrorWantWrite ? 0 : -1;
        }

        nint received = recv(_client, _toUpstream, BlockSize, 0);
        return received > 0 ? (int)received : received < 0 && Marshal.GetLastPInvokeError() == EAgain ? 0 : -1;
    }

    private void ReadUpstream()
    {
        nint received = recv(_upstream, _toClient, BlockSize, 0);
        if (received > 0)
        {
            _toClientStart = 0;
            _toClientLength = (int)received;
            FlushToClient();
        }
        else if (received == 0 || Marshal.GetLastPInvokeError() != EAgain)
        {
            Close();
        }
    }

    /// False if the connection closed. OpenSSL wants a retried write to be the same bytes, as they are here.
    private bool FlushToClient()
    {
        int written;
        if (_ssl != 0)
        {
            written = SSL_write(_ssl, _toClient, _toClientLength);
            written = written > 0 ? written : SSL_get_error(_ssl, written) is ErrorWantWrite or ErrorWantRead ? 0 : -1;
        }
        else
        {
            nint sent = send(_client, _toClient + _toClientStart, _toClientLength - _toClientStart, NoSignal);
            written = sent >= 0 ? (int)sent : Marshal.GetLastPInvokeError() == EAgain ? 0 : -1;
        }

        if (written < 0)
        {
            Close();
            return false;
        }

        _toClientStart += written;
        if (_toClientStart == _toClientLength)
        {
            _toClientStart = _toClientLength = 0;
        }

        UpdateInterests();
        return true;
    }

    private void UpdateInterests()
    {
        Watch(ref _clientInterest, _client, (_toUpstreamEnd == 0 ? EpollIn : 0) | (_toClientLength > 0 ? EpollOut : 0), 0);
        Watch(ref _upstreamInterest, _upstream, (_toClientLength == 0 ? EpollIn : 0) | (_toUpstreamEnd > 0 ? EpollOut : 0), 1);
    }

    private void Watch(ref uint current, int fd, uint wanted, int side)
    {
        if (current != wanted)
        {
            current = wanted;
            _loop.Modify(fd, wanted, ((ulong)_slot << 1) | (uint)side);
        }
    }

    private void Close()
    {
        if (_phase == Phase.Closed)
        {
            return;
        }

        _phase = Phase.Closed;
        close(_client); // closing a descriptor takes it out of the epoll set
        if (_upstream >= 0)
        {
            close(_upstream);
        }

        if (_ssl != 0)
        {
            SSL_free(_ssl);
            ERR_clear_error(); // a failed connection's errors must not show in the next one's SSL_get_error
        }

        NativeMemory.Free(_toUpstream);
        NativeMemory.Free(_toClient);
        _loop.Release(_slot);
    }
}
