// The upper bound of bench:fast-path: a bare node:http server answering every request with fixed bytes
// and headers (those deskgraph sends for a cache hit). Plain JavaScript, no loader, no framework.
//   PORT, HOST, BARE_BODY_FILE (the bytes), BARE_HEADERS (JSON object of headers)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.env.BARE_BODY_FILE);
const headers = JSON.parse(process.env.BARE_HEADERS ?? '{}');
// The body file holds decoded bytes (fetch() asks for gzip and decodes what it gets), which is also what
// deskgraph sends a client without Accept-Encoding, such as autocannon: no content coding to claim.
for (const name of Object.keys(headers)) if (['content-encoding', 'vary'].includes(name.toLowerCase())) delete headers[name];
headers['content-length'] = String(body.length);

const server = createServer((req, res) => {
  req.resume(); // drain the request body so the connection can be reused
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 5000; // node's default, as deskgraph has
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`bare server listening on ${process.env.PORT}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
