using System.Runtime.InteropServices;
using static Gateway.LoadTool.Tunnel.Native;
using Gateway.Tls.OpenSsl;
using static Gateway.Tls.OpenSsl.LibSsl;

namespace Gateway.LoadTool.Tunnel;

/// One client of EpollTunnel: the TLS handshake if it came to the TLS listener (`ssl` not null), then the upstream
/// connect, then bytes both ways, through OpenSSL on the client's side over TLS. Level-triggered
/// epoll: a side is watched for reading while nothing read from it waits to go out, and for writing while
/// something does, so a slow side holds the other back and nothing is buffered beyond one block each way. In frame
/// mode each direction's bytes go through a FrameRelay first, which keeps a header not all read for the next read.
internal sealed unsafe class TunnelConnection
{
    private const int BlockSize = 16 * 1024;
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL

    private readonly TunnelLoop _loop;
    private readonly int _slot;
    private readonly int _client;
    private readonly SslHandle? _ssl;
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

    /// Frame mode: the frame work of each direction, and the bytes read after what may go out (kept for the next read).
    private readonly FrameRelay? _upFrames;
    private readonly FrameRelay? _downFrames;
    private int _upPending;
    private int _downPending;

    public TunnelConnection(TunnelLoop loop, int slot, int client, SslHandle? ssl, bool frames)
    {
        if (frames)
        {
            _upFrames = new FrameRelay(fromClient: true);
            _downFrames = new FrameRelay(fromClient: false);
        }

        _loop = loop;
        _slot = slot;
        _client = client;
        _ssl = ssl;
        if (ssl is not null)
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
        if (_ssl is not null)
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
        int result = SSL_accept(_ssl!);
        if (result == 1)
        {
            ConnectUpstream();
            return;
        }

        switch (SSL_get_error(_ssl!, result))
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

            int filled = _upPending + read;
            int ready = _upFrames is null ? filled : _upFrames.Process(new Span<byte>(_toUpstream, filled));
            if (ready < 0)
            {
                Close();
                return;
            }

            _upPending = filled - ready;
            if (ready == 0)
            {
                continue; // a header not all here yet
            }

            _toUpstreamStart = 0;
            _toUpstreamEnd = ready;
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
            KeepPending(_toUpstream, _toUpstreamEnd, _upPending);
            _toUpstreamStart = _toUpstreamEnd = 0;
        }

        UpdateInterests();
        return true;
    }

    /// Bytes read, 0 if none are there yet, -1 if the client is gone.
    private int ReceiveFromClient()
    {
        if (_ssl is not null)
        {
            int read = SSL_read(_ssl, _toUpstream + _upPending, BlockSize - _upPending);
            return read > 0 ? read : SSL_get_error(_ssl, read) is ErrorWantRead or ErrorWantWrite ? 0 : -1;
        }

        nint received = recv(_client, _toUpstream + _upPending, BlockSize - _upPending, 0);
        return received > 0 ? (int)received : received < 0 && Marshal.GetLastPInvokeError() == EAgain ? 0 : -1;
    }

    private void ReadUpstream()
    {
        nint received = recv(_upstream, _toClient + _downPending, BlockSize - _downPending, 0);
        if (received > 0)
        {
            int filled = _downPending + (int)received;
            int ready = _downFrames is null ? filled : _downFrames.Process(new Span<byte>(_toClient, filled));
            if (ready < 0)
            {
                Close();
                return;
            }

            _downPending = filled - ready;
            _toClientStart = 0;
            _toClientLength = ready;
            if (ready > 0)
            {
                FlushToClient();
            }
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
        if (_ssl is not null)
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
            KeepPending(_toClient, _toClientLength, _downPending);
            _toClientStart = _toClientLength = 0;
        }

        UpdateInterests();
        return true;
    }

    /// Frame mode: once what was ready has gone out, the bytes read after it move to the block's start.
    private static void KeepPending(byte* block, int sentEnd, int pending)
    {
        if (pending > 0)
        {
            Buffer.MemoryCopy(block + sentEnd, block, BlockSize, pending);
        }
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

        if (_ssl is not null)
        {
            _ssl.Dispose();
            ERR_clear_error(); // a failed connection's errors must not show in the next one's SSL_get_error
        }

        NativeMemory.Free(_toUpstream);
        NativeMemory.Free(_toClient);
        _loop.Release(_slot);
    }
}
