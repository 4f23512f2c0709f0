// gRPC-Web on the server's own port (doc/PROTOCOL-WEB.md in grpc/grpc), through a raw HTTP/1.1 and
// HTTP/2 client: framing (binary and text), statuses, metadata, deadlines, cancellation, CORS, and
// what hostile requests get.

import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { unary } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  methodHandlersGenericHandler,
  server,
  sslServerCredentials,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { BAD_BASE64, streamingOverGrpcWeb } from '../src/transport/grpc-web-call.js';
import { TRUNCATED_MESSAGE } from '../src/transport/messages.js';
import { caCert, serverCert, serverKey } from './fixtures.js';
import { decodePaddedBase64, webCall, webFrame } from './grpc-web-client.js';
import { FAIL_DETAILS, newSeen, type Seen, utf8, webService } from './grpc-web-service.js';
import { startServer, track } from './helpers.js';

const PAGE = 'https://page.example';
const GRPC_WEB = { allowedOrigins: [PAGE], allowedHeaders: ['x-custom', 'x-token-bin'] };

async function serve(seen?: Seen, grpcWeb: object | null = GRPC_WEB, options: object = {}) {
  return startServer((srv) => srv.addGenericRpcHandlers([webService(utf8, seen)]), {
    grpcWeb: grpcWeb as never,
    ...options,
  });
}

const base64 = (bytes: Buffer): string => bytes.toString('base64');

describe.each([1, 2] as const)('gRPC-Web over HTTP/%i', (http) => {
  it('unary, binary: one data frame, then the trailer frame (flag 0x80) with grpc-status 0', async () => {
    const { port } = await serve();
    const response = await webCall(port, { http, body: [webFrame('web')] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/grpc-web+proto');
    expect(response.frames.map((frame) => frame.flag)).toEqual([0x00, 0x80]);
    expect(response.messages).toEqual(['hello web']);
    expect([...(response.trailers ?? [])]).toEqual([['grpc-status', ['0']]]);
    // A unary response goes at once, its length known.
    expect(response.headers['content-length']).toBe(String(response.body.length));
  });

  it('unary, text: the body is base64 both ways; a request may come in padded pieces split anywhere', async () => {
    const { port } = await serve();
    const frame = webFrame('text mode');
    // Two independently padded pieces, sent in chunks that end inside base64 groups.
    const encoded = base64(frame.subarray(0, 4)) + base64(frame.subarray(4));
    expect(encoded.slice(0, 8)).toMatch(/=/);
    const chunks = [encoded.slice(0, 3), encoded.slice(3, 7), encoded.slice(7, 13), encoded.slice(13)];
    const response = await webCall(port, {
      http,
      contentType: 'application/grpc-web-text+proto',
      headers: { accept: 'application/grpc-web-text' },
      body: chunks,
    });
    expect(response.headers['content-type']).toBe('application/grpc-web-text+proto');
    expect(response.body.toString('latin1')).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(response.messages).toEqual(['hello text mode']);
    expect(response.grpcStatus).toBe('0');
  });

  it('server streaming: initial metadata (-bin as base64) in headers, messages, trailing metadata in the trailer frame', async () => {
    const { port } = await serve();
    const response = await webCall(port, { http, path: '/test.Web/Stream', body: [webFrame('s')] });
    expect(response.headers['x-initial']).toBe('yes');
    expect(response.headers['x-initial-bin']).toBe(base64(Buffer.from([9, 8, 7])));
    expect(response.messages).toEqual(['s-0', 's-1', 's-2']);
    expect([...(response.trailers ?? [])]).toEqual([
      ['grpc-status', ['0']],
      ['x-trailer', ['done']],
      ['x-trailer-bin', [base64(Buffer.from([1, 2, 3]))]],
    ]);
  });

  it('server streaming, text: every message is its own padded base64 piece', async () => {
    const { port } = await serve();
    const response = await webCall(port, {
      http,
      path: '/test.Web/Stream',
      contentType: 'application/grpc-web-text',
      body: [base64(webFrame('t'))],
    });
    expect(response.headers['content-type']).toBe('application/grpc-web-text');
    expect(response.messages).toEqual(['t-0', 't-1', 't-2']);
    expect(response.grpcStatus).toBe('0');
  });

  it('an error before any message is Trailers-Only: status, message and trailing metadata in the headers, no body', async () => {
    const { port } = await serve();
    const response = await webCall(port, { http, body: [webFrame('fail')] });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(response.headers['grpc-status']).toBe(String(StatusCode.NOT_FOUND));
    expect(decodeURIComponent(response.headers['grpc-message'] as string)).toBe(FAIL_DETAILS);
    expect(response.headers['x-reason']).toBe('missing');
    expect(response.headers['x-reason-bin']).toBe(base64(Buffer.from([0, 1, 2, 255])));
  });

  it('an error after messages goes in the trailer frame, grpc-message percent-encoded', async () => {
    const { port } = await serve();
    const response = await webCall(port, { http, path: '/test.Web/Stream', body: [webFrame('fail-after')] });
    expect(response.messages).toEqual(['fail-after-0', 'fail-after-1', 'fail-after-2']);
    expect(response.grpcStatus).toBe(String(StatusCode.RESOURCE_EXHAUSTED));
    expect(response.grpcMessage).toBe('no such thing: %E2%9C%93 100%25');
    expect(response.trailers?.get('x-after')).toEqual(['three']);
  });

  it('request metadata, -bin included, reaches the handler', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    const response = await webCall(port, {
      http,
      headers: { 'x-custom': 'abc', 'x-token-bin': base64(Buffer.from([1, 2, 250])) },
      body: [webFrame('metadata')],
    });
    expect(response.messages).toEqual(['abc|1,2,250']);
    const keys = seen.metadata.map(([key]) => key);
    expect(keys).toContain('x-grpc-web');
    // Hop-by-hop headers and the transport's own are not metadata.
    for (const key of ['content-type', 'content-length', 'connection', 'host'])
      expect(keys).not.toContain(key);
  });

  it('grpc-timeout: DEADLINE_EXCEEDED reaches the client, and the handler sees its deadline pass', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    const started = Date.now();
    const response = await webCall(port, {
      http,
      headers: { 'grpc-timeout': '100m' },
      body: [webFrame('wait')],
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(response.grpcStatus).toBe(String(StatusCode.DEADLINE_EXCEEDED));
    expect(((await seen.aborted) as Error).message).toBe(CANCELLED_BY_DEADLINE);
  });

  it('the client going away (a browser abort) cancels the RPC: the handler signal aborts', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    let abort: () => void = () => {};
    const response = webCall(port, {
      http,
      path: '/test.Web/Stream',
      body: [webFrame('wait')],
      onStart: (fn) => {
        abort = fn;
      },
    });
    await expect.poll(() => seen.peer).not.toBe('');
    abort();
    expect(((await seen.aborted) as Error).message).toBe(CANCELLED_BY_CLIENT);
    expect((await response).grpcStatus).toBeUndefined();
  });

  it('a client-streaming method is UNIMPLEMENTED, with a message that says why', async () => {
    const { port } = await serve();
    const response = await webCall(port, {
      http,
      path: '/test.Web/Collect',
      body: [webFrame('a'), webFrame('b')],
    });
    expect(response.grpcStatus).toBe(String(StatusCode.UNIMPLEMENTED));
    expect(decodeURIComponent(response.grpcMessage ?? '')).toBe(streamingOverGrpcWeb('/test.Web/Collect'));
  });

  it('an unknown method is UNIMPLEMENTED, Trailers-Only', async () => {
    const { port } = await serve();
    const response = await webCall(port, { http, path: '/test.Web/Nope', body: [webFrame('a')] });
    expect(response.grpcStatus).toBe(String(StatusCode.UNIMPLEMENTED));
    expect(response.body.length).toBe(0);
  });

  it('CORS: a preflight from an allowed origin gets 204 with the methods, headers and max age', async () => {
    const { port } = await serve();
    const response = await webCall(port, {
      http,
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-grpc-web,x-custom',
        'content-type': undefined,
        'x-grpc-web': undefined,
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(PAGE);
    expect(response.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(response.headers['access-control-allow-headers']).toBe(
      'content-type, x-grpc-web, x-user-agent, grpc-timeout, grpc-encoding, grpc-accept-encoding, x-custom, x-token-bin',
    );
    expect(response.headers['access-control-max-age']).toBe('7200');
    expect(response.headers.vary).toContain('Origin');
  });

  it('CORS: a preflight from another origin gets 403 and no CORS headers; its POST runs nothing', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    const preflight = await webCall(port, {
      http,
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((key) => key.startsWith('access-control'))).toEqual([]);
    const post = await webCall(port, {
      http,
      headers: { origin: 'https://evil.example' },
      body: [webFrame('x')],
    });
    expect(post.status).toBe(403);
    expect(seen.peer).toBe('');
  });

  it('CORS: the origin a request addresses is not allowed for that (a DNS-rebound page); every response says Vary: Origin', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    // Under DNS rebinding, a hostile page's origin is the very name (and port) it now reaches us by.
    const rebound = await webCall(port, {
      http,
      headers: { origin: `http://127.0.0.1:${port}` },
      body: [webFrame('x')],
    });
    expect(rebound.status).toBe(403);
    expect(seen.peer).toBe('');
    const plain = await webCall(port, { http, body: [webFrame('x')] });
    expect(plain.messages).toEqual(['hello x']);
    expect(plain.headers.vary).toBe('Origin');
    const refused = await webCall(port, { http, path: '/test.Web/Nothing', body: [webFrame('x')] });
    expect(refused.grpcStatus).toBe(String(StatusCode.UNIMPLEMENTED));
    expect(refused.headers.vary).toBe('Origin');
  });

  it('CORS: a call from an allowed origin exposes grpc-status, grpc-message and the metadata keys', async () => {
    const { port } = await serve();
    const stream = await webCall(port, {
      http,
      path: '/test.Web/Stream',
      headers: { origin: PAGE },
      body: [webFrame('c')],
    });
    expect(stream.headers['access-control-allow-origin']).toBe(PAGE);
    const exposed = String(stream.headers['access-control-expose-headers']).split(', ');
    expect(exposed).toEqual(
      expect.arrayContaining([
        'grpc-status',
        'grpc-message',
        'grpc-status-details-bin',
        'x-initial',
        'x-initial-bin',
      ]),
    );
    const failed = await webCall(port, { http, headers: { origin: PAGE }, body: [webFrame('fail')] });
    expect(String(failed.headers['access-control-expose-headers']).split(', ')).toEqual(
      expect.arrayContaining(['grpc-status', 'grpc-message', 'x-reason', 'x-reason-bin']),
    );
  });

  it('hostile bodies get a clear status: bad base64, a truncated frame, a huge length, a trailer flag', async () => {
    const { port } = await serve(undefined, GRPC_WEB, {
      options: [['grpc.max_receive_message_length', 1024]],
    });
    const text = 'application/grpc-web-text';
    const badBase64 = await webCall(port, { http, contentType: text, body: ['AAAA*AAA'] });
    expect([badBase64.grpcStatus, badBase64.grpcMessage]).toEqual([String(StatusCode.INTERNAL), BAD_BASE64]);
    const cutBase64 = await webCall(port, { http, contentType: text, body: ['AAAAA'] });
    expect(cutBase64.grpcMessage).toBe(BAD_BASE64);
    const truncated = await webCall(port, { http, body: [webFrame('whole').subarray(0, 7)] });
    expect([truncated.grpcStatus, truncated.grpcMessage]).toEqual([
      String(StatusCode.INTERNAL),
      TRUNCATED_MESSAGE,
    ]);
    const huge = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
    const tooLarge = await webCall(port, { http, body: [huge] });
    expect(tooLarge.grpcStatus).toBe(String(StatusCode.RESOURCE_EXHAUSTED));
    expect(tooLarge.grpcMessage).toBe('Received message larger than max (4294967295 vs. 1024)');
    const trailerFlag = await webCall(port, { http, body: [webFrame('x', 0x80)] });
    expect(trailerFlag.grpcStatus).toBe(String(StatusCode.INTERNAL));
    const badTimeout = await webCall(port, {
      http,
      headers: { 'grpc-timeout': '1 hour' },
      body: [webFrame('x')],
    });
    expect(badTimeout.grpcStatus).toBe(String(StatusCode.INTERNAL));
    // The server still serves.
    expect((await webCall(port, { http, body: [webFrame('after')] })).messages).toEqual(['hello after']);
  });

  it('other content types get 415, other methods 405', async () => {
    const { port } = await serve();
    const json = await webCall(port, { http, contentType: 'application/json', body: ['{}'] });
    expect(json.status).toBe(415);
    expect(json.headers['accept-post']).toContain('application/grpc-web');
    const get = await webCall(port, { http, method: 'GET' });
    expect(get.status).toBe(405);
  });
});

describe('gRPC-Web on the port of gRPC', () => {
  it('gRPC clients are served as before on a port with gRPC-Web', async () => {
    const { client } = await serve();
    const outcome = await unary(client, '/test.Web/Unary', 'grpc');
    expect(outcome.responses).toEqual(['hello grpc']);
  });

  it('with gRPC-Web off, gRPC-Web over HTTP/2 gets 415 and HTTP/1.1 is disconnected, as before', async () => {
    const { port } = await serve(undefined, null as never);
    const h2 = await webCall(port, { http: 2, body: [webFrame('x')] });
    expect(h2.status).toBe(415);
    expect(h2.headers['accept-post']).toBe('application/grpc');
    const h1 = await webCall(port, { http: 1, body: [webFrame('x')] });
    expect(h1.status).toBe(0);
    expect(h1.error).toBeDefined();
  });

  it('garbage instead of HTTP gets 400 and the connection closes; the server keeps serving', async () => {
    const { port } = await serve();
    const answer = await new Promise<string>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.write('\x00\x01garbage\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => {});
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await webCall(port, { body: [webFrame('still')] })).messages).toEqual(['hello still']);
  });

  it('a request with both content-length and transfer-encoding (smuggling) gets 400, no call runs', async () => {
    const seen = newSeen();
    const { port } = await serve(seen);
    const answer = await new Promise<string>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () =>
        socket.write(
          'POST /test.Web/Unary HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web\r\ncontent-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nPOST /test.Web/Unary HTTP/1.1\r\n\r\n',
        ),
      );
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => {});
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(seen.peer).toBe('');
  });

  it('HTTP/1.1 pipelining: requests in the first packet of a connection are all answered, in order', async () => {
    const { port } = await serve();
    const request = (message: string): Buffer => {
      const body = webFrame(message);
      return Buffer.concat([
        Buffer.from(
          `POST /test.Web/Unary HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web\r\ncontent-length: ${body.length}\r\n\r\n`,
        ),
        body,
      ]);
    };
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1', () =>
        socket.write(Buffer.concat([request('p1'), request('p2'), request('p3')])),
      );
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
        if ((data.match(/grpc-status: 0/g) ?? []).length === 3) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`closed after ${JSON.stringify(data)}`)));
    });
    expect([...answer.matchAll(/hello (p\d)/g)].map((match) => match[1])).toEqual(['p1', 'p2', 'p3']);
  });

  it('HTTP/1.1 pipelining: a call queued behind another is cancelled when the client goes away', async () => {
    const aborted: unknown[] = [];
    let started = 0;
    let bothStarted!: () => void;
    const running = new Promise<void>((resolve) => {
      bothStarted = resolve;
    });
    const { port } = await startServer(
      (srv) =>
        srv.addGenericRpcHandlers([
          methodHandlersGenericHandler('test.Web', {
            Unary: unaryUnaryRpcMethodHandler<string, string>(
              async (_request, context) => {
                if (++started === 2) bothStarted();
                await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
                aborted.push(context.signal.reason);
                return 'never';
              },
              utf8.decode,
              utf8.encode,
            ),
          }),
        ]),
      { grpcWeb: GRPC_WEB },
    );
    const body = webFrame('wait');
    const request = `POST /test.Web/Unary HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web\r\ncontent-length: ${body.length}\r\n\r\n`;
    const socket = netConnect(port, '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from(request), body, Buffer.from(request), body])),
    );
    socket.on('error', () => {});
    await running;
    socket.destroy();
    await expect.poll(() => aborted.length).toBe(2);
    expect(aborted.map((reason) => (reason as Error).message)).toEqual([
      CANCELLED_BY_CLIENT,
      CANCELLED_BY_CLIENT,
    ]);
  });

  it('stop() closes idle HTTP/1.1 keep-alive connections and finishes', async () => {
    const { srv, port } = await serve();
    const socket = netConnect(port, '127.0.0.1');
    socket.on('error', () => {});
    const body = webFrame('keep');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const answered = new Promise((resolve) => socket.once('data', resolve));
    socket.write(
      `POST /test.Web/Unary HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc-web\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
    await answered;
    const started = Date.now();
    await srv.stop(1);
    await closed;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('TLS: ALPN offers http/1.1 with gRPC-Web (h2 still preferred), and gRPC-Web works over it', async () => {
    const srv = track(server({ handlers: [webService(utf8)], grpcWeb: GRPC_WEB }));
    const port = await srv.addSecurePort(
      '127.0.0.1:0',
      sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }]),
    );
    await srv.start();
    const negotiate = (protocols: string[]) =>
      new Promise<string | false>((resolve, reject) => {
        const socket = tlsConnect(
          { port, host: '127.0.0.1', ca: caCert, servername: 'localhost', ALPNProtocols: protocols },
          () => {
            resolve(socket.alpnProtocol ?? false);
            socket.destroy();
          },
        );
        socket.on('error', reject);
      });
    expect(await negotiate(['http/1.1'])).toBe('http/1.1');
    expect(await negotiate(['h2', 'http/1.1'])).toBe('h2');
    const body = webFrame('tls');
    const response = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        { port, host: '127.0.0.1', ca: caCert, servername: 'localhost', ALPNProtocols: ['http/1.1'] },
        () => {
          socket.write(
            `POST /test.Web/Unary HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/grpc-web\r\ncontent-length: ${body.length}\r\n\r\n`,
          );
          socket.write(body);
        },
      );
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('hello tls');
    expect(response).toContain('grpc-status: 0');
  });

  it('without gRPC-Web, TLS ALPN offers only h2, as before', async () => {
    const srv = track(server({ handlers: [webService(utf8)] }));
    const port = await srv.addSecurePort(
      '127.0.0.1:0',
      sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }]),
    );
    await srv.start();
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect(
        { port, host: '127.0.0.1', ca: caCert, servername: 'localhost', ALPNProtocols: ['http/1.1'] },
        () => {
          resolve(String(socket.alpnProtocol));
          socket.destroy();
        },
      );
      socket.on('error', (error) => resolve(error.message));
    });
    expect(outcome).not.toBe('http/1.1');
  });

  it('server interceptors see gRPC-Web calls as calls', async () => {
    const methods: string[] = [];
    const { port } = await startServer((srv) => srv.addGenericRpcHandlers([webService(utf8)]), {
      grpcWeb: GRPC_WEB,
      interceptors: [
        {
          interceptService(continuation, details) {
            methods.push(details.method);
            return continuation(details);
          },
        },
      ],
    });
    const response = await webCall(port, { body: [webFrame('i')] });
    expect(response.messages).toEqual(['hello i']);
    expect(methods).toEqual(['/test.Web/Unary']);
  });

  it('the text decoder helper of these tests reads padded pieces', () => {
    expect(decodePaddedBase64('QQ==QkM=').toString()).toBe('ABC');
  });
});

describe('server({ grpcWeb }) options', () => {
  it.each([
    [{}, "allowedOrigins must be '*' or a non-empty array"],
    [{ allowedOrigins: [] }, "allowedOrigins must be '*' or a non-empty array"],
    [{ allowedOrigins: ['https://a.example/'] }, 'is not an origin'],
    [{ allowedOrigins: ['a.example'] }, 'is not an origin'],
    [{ allowedOrigins: '*', allowCredentials: true }, 'allowCredentials cannot be combined'],
    [{ allowedOrigins: '*', allowedHeaders: ['bad header'] }, 'is not a header name'],
    [{ allowedOrigins: '*', maxAge: -1 }, 'maxAge must be'],
    [{ allowedOrigins: '*', allowedOrigin: 'x' }, "unknown key 'allowedOrigin'"],
    [true, 'expected an object'],
  ])('%j is a TypeError', (grpcWeb, text) => {
    expect(() => server({ grpcWeb: grpcWeb as never })).toThrow(TypeError);
    expect(() => server({ grpcWeb: grpcWeb as never })).toThrow(text);
  });

  it('a valid configuration is accepted', () => {
    expect(() =>
      track(
        server({
          grpcWeb: {
            allowedOrigins: ['https://a.example', 'http://localhost:5173'],
            allowedHeaders: ['Authorization'],
            exposedHeaders: ['x-served-by'],
            maxAge: 60,
            allowCredentials: true,
          },
        }),
      ),
    ).not.toThrow();
  });

  it('a key whose value is undefined is not an option (an object spread from elsewhere)', () => {
    expect(() =>
      track(server({ grpcWeb: { allowedOrigins: '*', allowedOrigin: undefined } as never })),
    ).not.toThrow();
  });
});

// grpc-js is the gRPC client of the "port of gRPC" test above.
void grpc;
