// A raw gRPC-Web client for the tests, over HTTP/1.1 (node:http) or HTTP/2 (node:http2): it sends
// exactly the headers and body bytes a test gives, and reports exactly what came back, frames parsed.
import { request as http1Request, type IncomingHttpHeaders } from 'node:http';
import { type ClientHttp2Session, connect } from 'node:http2';
import { afterEach } from 'vitest';

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.destroy();
});

/** One length-prefixed gRPC-Web frame. */
export function webFrame(payload: Buffer | string, flag = 0): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

/** Decodes base64 made of independently padded pieces (as a grpc-web-text body may be). */
export function decodePaddedBase64(text: string): Buffer {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let index = 3; index < text.length; index += 4) {
    if (text[index] === '=') {
      pieces.push(Buffer.from(text.slice(start, index + 1), 'base64'));
      start = index + 1;
    }
  }
  if (start < text.length) pieces.push(Buffer.from(text.slice(start), 'base64'));
  return Buffer.concat(pieces);
}

interface WebFrame {
  flag: number;
  payload: Buffer;
}

export interface WebResponse {
  /** The HTTP status (0 when the connection failed before one came). */
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as received. */
  body: Buffer;
  /** The frames of the body (base64-decoded first for grpc-web-text). */
  frames: WebFrame[];
  /** The data messages, as strings. */
  messages: string[];
  /** The trailer frame's lines, as `key -> values`, or undefined when there was none. */
  trailers: Map<string, string[]> | undefined;
  /** grpc-status and grpc-message, from the trailer frame or (Trailers-Only) the headers. */
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  /** The error that ended the exchange, if any (a reset connection). */
  error: string | undefined;
}

export interface WebRequest {
  /** 1 for HTTP/1.1 (default), 2 for HTTP/2. */
  http?: 1 | 2;
  path?: string;
  method?: string;
  /** Default application/grpc-web+proto. */
  contentType?: string;
  headers?: Record<string, string | string[] | undefined>;
  /** Body chunks, each written as is. */
  body?: (Buffer | string)[];
  /** Called once the request is under way, with a function that aborts it (the connection or stream goes). */
  onStart?: (abort: () => void) => void;
  /** Do not end the request body (the test ends it through onStart's abort). */
  keepOpen?: boolean;
}

function parse(
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer,
  error: string | undefined,
): WebResponse {
  const contentType = String(headers['content-type'] ?? '');
  const bytes = contentType.startsWith('application/grpc-web-text')
    ? decodePaddedBase64(body.toString('latin1'))
    : body;
  const frames: WebFrame[] = [];
  for (let offset = 0; offset + 5 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset + 1);
    frames.push({ flag: bytes[offset] as number, payload: bytes.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  let trailers: Map<string, string[]> | undefined;
  const last = frames.at(-1);
  if (last !== undefined && (last.flag & 0x80) !== 0) {
    trailers = new Map();
    for (const line of last.payload.toString('utf8').split('\r\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      trailers.set(key, [...(trailers.get(key) ?? []), value]);
    }
  }
  const messages = frames.filter((frame) => frame.flag === 0).map((frame) => frame.payload.toString());
  return {
    status,
    headers,
    body,
    frames,
    messages,
    trailers,
    grpcStatus: trailers?.get('grpc-status')?.[0] ?? (headers['grpc-status'] as string | undefined),
    grpcMessage: trailers?.get('grpc-message')?.[0] ?? (headers['grpc-message'] as string | undefined),
    error,
  };
}

/** Sends one gRPC-Web request to 127.0.0.1:`port`; resolves once the response ended (never rejects). */
export function webCall(port: number, request: WebRequest = {}): Promise<WebResponse> {
  const headers: Record<string, string | string[]> = {
    'content-type': request.contentType ?? 'application/grpc-web+proto',
    'x-grpc-web': '1',
  };
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) delete headers[key];
    else headers[key] = value;
  }
  const method = request.method ?? 'POST';
  const path = request.path ?? '/test.Web/Unary';
  return request.http === 2
    ? http2Call(port, method, path, headers, request)
    : http1Call(port, method, path, headers, request);
}

function http1Call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  request: WebRequest,
): Promise<WebResponse> {
  return new Promise((resolve) => {
    const outgoing = http1Request({ host: '127.0.0.1', port, method, path, headers, agent: false });
    let settled = false;
    const done = (response: WebResponse): void => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    outgoing.on('error', (error) => done(parse(0, {}, Buffer.alloc(0), error.message)));
    outgoing.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', () => {});
      incoming.on('close', () =>
        done(
          parse(
            incoming.statusCode ?? 0,
            incoming.headers,
            Buffer.concat(chunks),
            incoming.complete ? undefined : 'aborted',
          ),
        ),
      );
    });
    for (const chunk of request.body ?? []) outgoing.write(chunk);
    if (request.keepOpen !== true) outgoing.end();
    else outgoing.flushHeaders();
    request.onStart?.(() => outgoing.destroy());
  });
}

function http2Call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  request: WebRequest,
): Promise<WebResponse> {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  sessions.push(session);
  return new Promise((resolve) => {
    const stream = session.request({ ':method': method, ':path': path, ...headers });
    let status = 0;
    let received: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('error', () => {});
    stream.on('response', (incoming) => {
      status = Number(incoming[':status']);
      received = incoming as IncomingHttpHeaders;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => {
      resolve(
        parse(status, received, Buffer.concat(chunks), stream.rstCode ? `rst ${stream.rstCode}` : undefined),
      );
      session.close();
    });
    for (const chunk of request.body ?? []) stream.write(chunk);
    if (request.keepOpen !== true) stream.end();
    request.onStart?.(() => stream.close(0x8));
  });
}
