// The "Node limit" of the h2load workload: a bare node:http2 server that answers the unary method
// with the same gRPC bytes as the real servers (response headers, one framed message, trailers
// grpc-status 0) and does nothing else: no metadata, deadlines, compression or call objects. No gRPC
// server on node:http2 can do less per call, so its rate is the ceiling the others are held against.
import { createServer } from 'node:http2';
import { decode, encode, MESSAGE, METHODS } from '../codec.mjs';

const message = encode(MESSAGE);
const RESPONSE = Buffer.alloc(5 + message.length);
RESPONSE.writeUInt32BE(message.length, 1);
message.copy(RESPONSE, 5);

export async function startServer({ address = '127.0.0.1:0' } = {}) {
  const server = createServer();
  const sessions = new Set();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks = [];
    stream.on('error', () => {}); // a reset stream: nothing to answer
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // One uncompressed message, as the benchmark's requests are; anything else is refused.
      if (
        headers[':path'] !== METHODS.unary ||
        body.length < 5 ||
        body[0] !== 0 ||
        body.readUInt32BE(1) !== body.length - 5
      ) {
        stream.respond(
          { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' },
          { endStream: true },
        );
        return;
      }
      decode(body.subarray(5));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(RESPONSE);
    });
  });
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const session of sessions) session.close();
    });
  return { port: server.address().port, stop };
}
