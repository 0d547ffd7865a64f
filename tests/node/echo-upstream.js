// An upstream WebSocket server built on the npm `ws` package, for the gateway's functional tests.
// Usage: node echo-upstream.js PORT [--report-closes]
// Echoes every message with its type. A text message "close:CODE:REASON" makes it close with that code and reason.
// Prints "listening PORT" once ready; exits when stdin closes, so a test that dies leaves nothing behind.
// --report-closes: also prints "closed CODE REASON" for every connection that ends (CODE 1006: no Close received).
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 0);
const reportCloses = process.argv.includes('--report-closes');
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  maxPayload: 64 * 1024 * 1024,
  handleProtocols: (protocols) => protocols.values().next().value || false,
});

wss.on('connection', (ws, req) => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const text = data.toString('utf8');
      const match = /^close:(\d+):(.*)$/s.exec(text);
      if (match) {
        ws.close(Number(match[1]), match[2]);
        return;
      }
      if (text === 'headers') {
        ws.send(JSON.stringify(req.headers));
        return;
      }
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => {});
  if (reportCloses) ws.on('close', (code, reason) => console.log(`closed ${code} ${reason.toString()}`));
});

wss.on('listening', () => console.log(`listening ${wss.address().port}`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
