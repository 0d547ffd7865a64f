#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/: small valid and edge inputs, each with the option
bytes its target reads first (tests/Gateway.Fuzz/Targets). Run it again after changing an input's layout."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = b"dGhlIHNhbXBsZSBub25jZQ=="            # RFC 6455 1.3's sample key
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="     # and its Sec-WebSocket-Accept
MASK = bytes([0x37, 0xFA, 0x21, 0x3D])       # RFC 6455 5.7's example key


def frame(opcode, payload=b"", fin=True, masked=False, length_form=None):
    """length_form: None for the shortest, or 16 / 64 to force a longer one."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    bit = 0x80 if masked else 0
    if length_form == 64 or n > 0xFFFF:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    elif length_form == 16 or n > 125:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | n])
    if masked:
        head += MASK
        payload = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return head + payload


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# frame-decoder: [options: bit 0 client role, bits 1-2 limits][chunk seed][wire]
SERVER, CLIENT, SMALL = 0x00, 0x01, 0x02
m = dict(masked=True)
frames = {
    "text-masked": (SERVER, frame(1, b"Hello", **m)),
    "text-unmasked": (CLIENT, frame(1, b"Hello")),
    "fragmented-text": (CLIENT, frame(1, b"Hel", fin=False) + frame(0, b"lo")),
    "fragments-with-ping": (SERVER, frame(1, b"a", fin=False, **m) + frame(9, b"p", **m) + frame(0, b"b", **m)),
    "utf8-across-fragments": (SERVER, frame(1, "x\u20ac".encode()[:2], fin=False, **m) + frame(0, "x\u20ac".encode()[2:], **m)),
    "utf8-invalid": (CLIENT, frame(1, b"\xed\xa0\x80")),
    "binary-16bit": (SERVER, frame(2, bytes(range(256))[:200], **m)),
    "binary-64bit-form": (CLIENT, frame(2, b"12345", length_form=64)),
    "binary-16bit-form": (SERVER, frame(2, b"12345", length_form=16, **m)),
    "ping-pong": (CLIENT, frame(9, b"ping") + frame(10, b"ping")),
    "close-1000": (SERVER, frame(8, struct.pack(">H", 1000) + b"bye", **m)),
    "close-empty": (CLIENT, frame(8)),
    "empty-text-then-binary": (SERVER, frame(1, b"", **m) + frame(2, b"\x00\xff", **m)),
    "over-small-limit": (SMALL | SERVER, frame(2, b"x" * 120, fin=False, **m) + frame(0, b"y" * 190, **m)),
    "reserved-bits": (CLIENT, bytes([0xC1, 0x00])),
    "reserved-opcode": (CLIENT, bytes([0x83, 0x00])),
}
for name, (options, wire) in frames.items():
    write("frame-decoder", name, bytes([options, 0x07]) + wire)

# request-head: [flags: bit 0 no subprotocol list configured][head]
upgrade = (b"GET /chat?room=1 HTTP/1.1\r\nHost: gateway.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
           b"Origin: https://app.test\r\n\r\n")
requests = {
    "upgrade": upgrade,
    "absolute-form": upgrade.replace(b"/chat?room=1", b"http://gateway.test/chat"),
    "asterisk-form": b"OPTIONS * HTTP/1.1\r\nHost: gateway.test\r\n\r\n",
    "version-8": upgrade.replace(b"Version: 13", b"Version: 8"),
    "split-lists": upgrade.replace(b"Connection: Upgrade", b"Connection: keep-alive\r\nConnection: Upgrade")
                          .replace(b"chat, superchat", b"chat\r\nSec-WebSocket-Protocol: v2.json, chat"),
    "post-http10": upgrade.replace(b"GET", b"POST").replace(b"HTTP/1.1", b"HTTP/1.0"),
    "bare-lf-tab-target": upgrade.replace(b"\r\n", b"\n").replace(b"/chat", b"/ch\tat"),
}
for name, head in requests.items():
    write("request-head", name, b"\x00" + head)

# response-head: [seed: bit 0 no subprotocol offered][head]
ok101 = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         b"Sec-WebSocket-Accept: " + ACCEPT + b"\r\n")
responses = {
    "101": ok101 + b"\r\n",
    "101-subprotocol": ok101 + b"Sec-WebSocket-Protocol: chat\r\n\r\n",
    "101-then-frame": ok101 + b"\r\n" + frame(1, b"hi"),
    "101-no-reason-bare-lf": b"HTTP/1.1 101\nUpgrade: websocket\nConnection: upgrade\nSec-WebSocket-Accept: " + ACCEPT + b"\n\n",
    "400-body": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nnope.",
    "502-chunked": b"HTTP/1.0 502 Bad Gateway\r\nTransfer-Encoding: gzip, chunked\r\nX-Empty:\r\n\r\n",
    "obs-fold": ok101 + b" folded\r\n\r\n",
}
for name, head in responses.items():
    write("response-head", name, b"\x00" + head)

# close-payload: [mask/chunk seed][payload]
closes = {
    "empty": b"",
    "one-byte": b"\x03",
    "1000": struct.pack(">H", 1000),
    "1001-reason": struct.pack(">H", 1001) + b"going away",
    "4000-utf8": struct.pack(">H", 4000) + "d\u00e9j\u00e0 \U0001f600".encode(),
    "1005-never-sent": struct.pack(">H", 1005),
    "bad-utf8": struct.pack(">H", 1000) + b"\xc3\x28",
    "longest": struct.pack(">H", 3000) + b"r" * 121 + "\u00e9".encode(),
    "too-long": struct.pack(">H", 1000) + b"r" * 124,
}
for name, payload in closes.items():
    write("close-payload", name, b"\x05" + payload)
