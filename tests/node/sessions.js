// Many WebSocket sessions at once (npm `ws`), each sending sequence-numbered messages continuously and checking
// that the echoes come back complete and in order. For drain and reload tests.
// Usage: node sessions.js URL=COUNT [URL=COUNT ...] [--interval-ms 20] [--ca PEM] [--timeout-ms 20000]
// Prints {"event":"open","count":N} once every session is open. A line "stop" on stdin (or stdin closing) makes
// every session stop sending, wait for its last echo and close with 1000. Once every session has closed (by
// either side) it prints {"event":"done","sessions":[...]} and exits: for each session its url, how many messages
// it sent and received, whether every echo came back in order, and the close code and reason it received.
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ca = option('--ca') ? fs.readFileSync(option('--ca')) : undefined;
const intervalMs = Number(option('--interval-ms', '20'));
const targets = args.filter((a) => /^wss?:\/\//.test(a)).map((a) => {
  const at = a.lastIndexOf('=');
  return { url: a.slice(0, at), count: Number(a.slice(at + 1)) };
});

const sessions = [];
let opened = 0;
let closed = 0;
let stopping = false;

function report() {
  console.log(JSON.stringify({ event: 'done', sessions: sessions.map((s) => s.result) }));
  process.exit(0);
}

function start(url) {
  const s = { ws: new WebSocket(url, [], { ca }), result: { url, sent: 0, received: 0, ordered: true, code: null, reason: null, error: null } };
  sessions.push(s);
  const send = () => {
    if (stopping || s.ws.readyState !== WebSocket.OPEN) return;
    s.ws.send(`seq:${s.result.sent}`);
    s.result.sent++;
  };
  s.ws.on('open', () => {
    s.timer = setInterval(send, intervalMs);
    if (++opened === sessions.length) console.log(JSON.stringify({ event: 'open', count: opened }));
  });
  s.ws.on('message', (data) => {
    if (data.toString() !== `seq:${s.result.received}`) s.result.ordered = false;
    s.result.received++;
    if (stopping && s.result.received === s.result.sent) s.ws.close(1000, 'done');
  });
  s.ws.on('error', (e) => { s.result.error = String(e); });
  s.ws.on('close', (code, reason) => {
    clearInterval(s.timer);
    s.result.code = code;
    s.result.reason = reason.toString();
    if (++closed === sessions.length) report();
  });
  s.stop = () => {
    clearInterval(s.timer);
    if (s.ws.readyState === WebSocket.OPEN && s.result.received === s.result.sent) s.ws.close(1000, 'done');
  };
}

for (const { url, count } of targets) for (let i = 0; i < count; i++) start(url);

const stopAll = () => {
  stopping = true;
  for (const s of sessions) s.stop();
};
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
  if (input.includes('stop')) stopAll();
});
process.stdin.on('end', stopAll);
setTimeout(() => {
  for (const s of sessions) if (s.result.code === null) s.result.error = s.result.error || 'timeout';
  report();
}, Number(option('--timeout-ms', '20000'))).unref();
