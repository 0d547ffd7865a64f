// A client built on the npm `ws` package: sends messages through the gateway and checks every echo byte for byte.
// Usage: node echo-client.js URL [--ca PEM] [--sizes 0,1,125,...] [--fragments N] [--protocol P]
// Prints one JSON line {"ok":true,...} or {"ok":false,"error":...}; exit code 0 only when every echo matched.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const WebSocket = require('ws');

const args = process.argv.slice(2);
const url = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ca = option('--ca') ? fs.readFileSync(option('--ca')) : undefined;
const sizes = option('--sizes', '0,1,125,126,65535,65536,1048576').split(',').map(Number);
const fragments = Number(option('--fragments', '1'));
const protocol = option('--protocol');

function fail(error) {
  console.log(JSON.stringify({ ok: false, error: String(error) }));
  process.exit(1);
}

const ws = new WebSocket(url, protocol ? [protocol] : [], { ca, maxPayload: 64 * 1024 * 1024 });
const expected = [];
let received = 0;
ws.on('error', fail);
ws.on('open', () => {
  for (const size of sizes) {
    for (const binary of [false, true]) {
      const payload = binary ? crypto.randomBytes(size) : Buffer.from('é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2));
      expected.push({ binary, payload });
      if (fragments > 1 && payload.length >= fragments) {
        const step = Math.ceil(payload.length / fragments);
        for (let at = 0; at < payload.length; at += step) {
          // An odd step cuts a two-byte é in half: valid UTF-8 across frames, which the gateway must accept.
          const end = Math.min(payload.length, at + step);
          ws.send(payload.subarray(at, end), { binary, fin: end === payload.length });
          ws.ping();
        }
      } else {
        ws.send(payload, { binary });
      }
    }
  }
});
ws.on('message', (data, isBinary) => {
  const want = expected[received++];
  if (!want) return fail('unexpected extra message');
  if (want.binary !== isBinary) return fail(`message ${received}: type changed`);
  if (!Buffer.from(data).equals(want.payload)) return fail(`message ${received}: payload differs (${data.length} vs ${want.payload.length} bytes)`);
  if (received === expected.length) ws.close(1000, 'done');
});
ws.on('close', (code, reason) => {
  if (received !== expected.length) return fail(`closed ${code} after ${received}/${expected.length} messages`);
  console.log(JSON.stringify({ ok: true, messages: received, code, reason: reason.toString(), protocol: ws.protocol }));
  process.exit(0);
});
setTimeout(() => fail('timeout'), Number(option('--timeout-ms', '30000'))).unref();
