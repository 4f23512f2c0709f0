// A raw node:http2 client for the wire tests: it sends exactly the headers and bytes a test gives
// (well-formed or not) and reports exactly what came back.
import {
  type ClientHttp2Session,
  connect,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { afterEach } from 'vitest';

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.destroy();
});

/** An HTTP/2 connection to 127.0.0.1:`port`, closed after the test. */
export function rawSession(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  sessions.push(session);
  return session;
}

/** One length-prefixed message. */
export function frame(payload: Buffer | string, flag = 0): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

/** What a raw request got back. */
export interface RawResponse {
  headers: IncomingHttpHeaders;
  /** The raw response header list (names and values, in order). */
  rawHeaders: string[];
  trailers: IncomingHttpHeaders | undefined;
  /** The response messages: compressed flag and payload. */
  messages: { flag: number; payload: Buffer }[];
  /** The RST_STREAM code, when the stream was reset. */
  rstCode: number;
}

export interface RawRequest {
  path?: string;
  headers?: OutgoingHttpHeaders;
  /** Bytes to send (each chunk written as is). */
  body?: Buffer[];
  /** Half-close after the body (default true). */
  end?: boolean;
  /** Called with the stream once the request is sent (to reset it, say). */
  onStream?: (stream: import('node:http2').ClientHttp2Stream) => void;
}

/** Sends one request on `session` (default headers: a gRPC POST), resolves when the stream closes. */
export function rawCall(session: ClientHttp2Session, request: RawRequest = {}): Promise<RawResponse> {
  const headers: OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': request.path ?? '/t.S/M',
    'content-type': 'application/grpc',
    te: 'trailers',
    ...request.headers,
  };
  // A header given as undefined is not sent.
  for (const [key, value] of Object.entries(headers)) if (value === undefined) delete headers[key];
  const stream = session.request(headers);
  stream.on('error', () => {});
  return new Promise((resolve) => {
    let headers: IncomingHttpHeaders = {};
    let rawHeaders: string[] = [];
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (received: IncomingHttpHeaders, _flags: number, raw: string[]) => {
      headers = received;
      rawHeaders = raw;
    });
    stream.on('trailers', (received) => {
      trailers = received;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => {
      const data = Buffer.concat(chunks);
      const messages: RawResponse['messages'] = [];
      for (let offset = 0; offset + 5 <= data.length; ) {
        const length = data.readUInt32BE(offset + 1);
        messages.push({
          flag: data[offset] as number,
          payload: data.subarray(offset + 5, offset + 5 + length),
        });
        offset += 5 + length;
      }
      resolve({
        headers,
        rawHeaders,
        trailers,
        messages,
        rstCode: stream.rstCode ?? constants.NGHTTP2_NO_ERROR,
      });
    });
    for (const chunk of request.body ?? []) stream.write(chunk);
    if (request.end !== false) stream.end();
    request.onStream?.(stream);
  });
}

/** grpc-status and grpc-message of a response, from its trailers or (Trailers-Only) its headers. */
export function statusOf(response: RawResponse): { status: string | undefined; message: string | undefined } {
  const source = response.trailers ?? response.headers;
  return {
    status: source['grpc-status'] as string | undefined,
    message: source['grpc-message'] as string | undefined,
  };
}
