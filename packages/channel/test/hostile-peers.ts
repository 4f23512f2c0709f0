// Misbehaving servers for the client's hardening tests, on 127.0.0.1:0: one on node:http2 (any
// headers, statuses and DATA it allows) and one that writes HTTP/2 frames itself (orders node:http2
// cannot produce: DATA before HEADERS, HEADERS after the trailers).

import {
  createServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

/** A gRPC message frame: flag byte, 4-byte length, payload. */
export function grpcFrame(payload: Buffer | string, flag = 0): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export interface Hostile {
  readonly address: string;
  close(): Promise<void>;
}

/** A node:http2 server that answers every stream with `answer`. */
export async function hostileServer(
  answer: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
): Promise<Hostile & { readonly sessions: Set<ServerHttp2Session> }> {
  const server: Http2Server = createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => {});
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    answer(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---- raw HTTP/2 frames -------------------------------------------------------------------------

const PREFACE_LENGTH = 24;
const DATA = 0x0;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const PING = 0x6;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const ACK = 0x1;

function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** An HPACK block of literal fields (never indexed, no Huffman); `:status: 200` is static entry 8. */
function hpack(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    if (name === ':status' && value === '200') {
      parts.push(Buffer.from([0x88]));
      continue;
    }
    if (name.length > 126 || value.length > 126) throw new RangeError('hpack(): short fields only');
    parts.push(
      Buffer.from([0x10, name.length]),
      Buffer.from(name),
      Buffer.from([value.length]),
      Buffer.from(value),
    );
  }
  return Buffer.concat(parts);
}

/** What a raw script may send on the stream the client opened. */
export interface RawStream {
  headers(fields: [string, string][], endStream?: boolean): void;
  data(payload: Buffer, endStream?: boolean): void;
}

/**
 * A server that speaks HTTP/2 by writing frames itself: it answers the client's preface and
 * SETTINGS, and when the client opens a stream runs `script` on it.
 */
export async function rawHttp2Server(script: (stream: RawStream) => void): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write(frame(SETTINGS, 0, 0));
    let buffer = Buffer.alloc(0);
    let prefaceSeen = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!prefaceSeen) {
        if (buffer.length < PREFACE_LENGTH) return;
        buffer = buffer.subarray(PREFACE_LENGTH);
        prefaceSeen = true;
      }
      while (buffer.length >= 9) {
        const length = buffer.readUIntBE(0, 3);
        if (buffer.length < 9 + length) return;
        const type = buffer[3] as number;
        const flags = buffer[4] as number;
        const streamId = buffer.readUInt32BE(5) & 0x7fffffff;
        const payload = buffer.subarray(9, 9 + length);
        buffer = buffer.subarray(9 + length);
        if (type === SETTINGS && (flags & ACK) === 0) socket.write(frame(SETTINGS, ACK, 0));
        else if (type === PING && (flags & ACK) === 0) socket.write(frame(PING, ACK, 0, payload));
        else if (type === HEADERS) {
          script({
            headers: (fields, endStream = false) =>
              socket.write(
                frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, hpack(fields)),
              ),
            data: (data, endStream = false) =>
              socket.write(frame(DATA, endStream ? END_STREAM : 0, streamId, data)),
          });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
