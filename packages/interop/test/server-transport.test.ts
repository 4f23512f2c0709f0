// grpc-aio's own server transport (node:http2) against Python grpc.aio (C-core): the same requests,
// from a Python grpc.aio client and from a raw node:http2 client, to a Python server and to ours,
// must be seen alike (invocation metadata, compression, TLS, Trailers-Only errors). The Python side
// is python/transport_peer.py; its server mirrors `ourServer()` below method for method.
import {
  type ClientHttp2Session,
  connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { Compression, EOF, type Server, type ServerCredentials, StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import {
  methodHandlersGenericHandler,
  server,
  sslServerCredentials,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { caCert, serverCert, serverKey } from '@grpc-aio/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peer, pythonUnavailable, runPython, startPythonPeer } from '../src/processes.js';

const noPython = pythonUnavailable();
const pythonTitle = (title: string): string => `${title}${noPython ? ` (skipped: ${noPython})` : ''}`;

const CERTS = fileURLToPath(new URL('../../test-fixtures/certs/', import.meta.url));
const TLS = {
  ca: `${CERTS}ca.pem`,
  serverKey: `${CERTS}server.key`,
  serverCert: `${CERTS}server.pem`,
  clientKey: `${CERTS}client.key`,
  clientCert: `${CERTS}client.pem`,
};

// ---- what both servers serve (python/transport_peer.py mirrors it) ---------------------------------

const SERVICE = '/transport.Peer/';
const ABORT_DETAILS = 'héllo 100% ✓';
const ABORT_TRAILERS: [string, string | Buffer][] = [
  ['x-t', 'v1'],
  ['x-t-bin', Buffer.from([0x00, 0xff, 0x10])],
  ['x-t', 'v2'],
];

/** Metadata as transport_peer.py prints it: [key, text] or [key, hex, 'bytes']. */
type MetadataJson = ([string, string] | [string, string, 'bytes'])[];

function metadataJson(metadata: Metadata): MetadataJson {
  return [...metadata].map(([key, value]) =>
    typeof value === 'string' ? [key, value] : [key, Buffer.from(value).toString('hex'), 'bytes'],
  );
}

/**
 * Metadata per key, keys sorted: what the comparison holds equal. The order of different keys is
 * not compared (C-core moves `user-agent` first; grpc-aio's Metadata, like Python's `aio.Metadata`,
 * groups the values of a key); the order of a key's values is.
 */
function byKey(list: MetadataJson): [string, string[]][] {
  const map = new Map<string, string[]>();
  for (const [key, value, bytes] of list) {
    const values = map.get(key) ?? [];
    values.push(bytes === undefined ? value : `${value} (bytes)`);
    map.set(key, values);
  }
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The x-a values each call of `Repeated` saw in our handler. */
const repeatedSeen: string[][] = [];

const servers: Server[] = [];

/** grpc-aio's server with transport.Peer (bytes in, bytes out), on 127.0.0.1:0. */
async function ourServer(
  options: {
    compression?: Compression;
    options?: [string, string | number][];
    credentials?: ServerCredentials;
  } = {},
): Promise<number> {
  const srv = server({
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.options === undefined ? {} : { options: options.options }),
  });
  servers.push(srv);
  srv.addGenericRpcHandlers([
    methodHandlersGenericHandler('transport.Peer', {
      Metadata: unaryUnaryRpcMethodHandler(async (_request: Buffer, context) =>
        Buffer.from(JSON.stringify(metadataJson(context.invocationMetadata()))),
      ),
      Repeated: unaryUnaryRpcMethodHandler(async (_request: Buffer, context) => {
        repeatedSeen.push(context.invocationMetadata().getAll('x-a') as string[]);
        return Buffer.alloc(0);
      }),
      Echo: unaryUnaryRpcMethodHandler(async (request: Buffer) => request),
      EchoDeflate: unaryUnaryRpcMethodHandler(async (request: Buffer, context) => {
        context.setCompression(Compression.Deflate);
        return request;
      }),
      Collect: streamUnaryRpcMethodHandler(async (requests: AsyncIterable<Buffer>) => {
        const parts: Buffer[] = [];
        for await (const request of requests) parts.push(request);
        return Buffer.concat(parts);
      }),
      Stream: unaryStreamRpcMethodHandler(async (request: Buffer, context) => {
        await context.write(request);
        context.disableNextMessageCompression();
        await context.write(request);
        await context.write(request);
      }),
      StreamDeflate: unaryStreamRpcMethodHandler(async (request: Buffer, context) => {
        context.setCompression(Compression.Deflate);
        await context.write(request);
      }),
      Abort: unaryUnaryRpcMethodHandler(async (_request: Buffer, context) =>
        context.abort(StatusCode.FAILED_PRECONDITION, ABORT_DETAILS, ABORT_TRAILERS),
      ),
      Mixed: unaryStreamRpcMethodHandler(async function* (_request: Buffer, context) {
        await context.write(Buffer.from('w1'));
        yield Buffer.from('y1');
        await context.write(Buffer.from('w2'));
        yield Buffer.from('y2');
      }),
      MixedRead: streamUnaryRpcMethodHandler(async (requests: AsyncIterable<Buffer>, context) => {
        const text = (value: unknown) => (value === EOF ? 'EOF' : String(value));
        const first = await context.read();
        const looped: string[] = [];
        for await (const request of requests) {
          looped.push(String(request));
          break;
        }
        const second = await context.read();
        const rest: string[] = [];
        for await (const request of requests) rest.push(String(request));
        const after = [await context.read(), await context.read()];
        return Buffer.from(JSON.stringify([text(first), looped, text(second), rest, after.map(text)]));
      }),
      Who: unaryUnaryRpcMethodHandler(async (_request: Buffer, context) => {
        const identities = context.peerIdentities();
        const auth: Record<string, string[]> = {};
        for (const [key, values] of Object.entries(context.authContext()).sort(([a], [b]) =>
          a < b ? -1 : 1,
        )) {
          if (key === 'x509_pem_cert' || key === 'x509_pem_cert_chain') continue;
          auth[key] = values.map((v) => Buffer.from(v).toString()).sort();
        }
        return Buffer.from(
          JSON.stringify({
            identities: identities === undefined ? null : identities.map((v) => Buffer.from(v).toString()),
            key: context.peerIdentityKey() ?? null,
            auth,
          }),
        );
      }),
    }),
  ]);
  const port =
    options.credentials === undefined
      ? await srv.addInsecurePort('127.0.0.1:0')
      : await srv.addSecurePort('127.0.0.1:0', options.credentials);
  await srv.start();
  return port;
}

// ---- Python peers ------------------------------------------------------------------------------

const pythonServers: Peer[] = [];

/** `transport_peer.py serve ...args`, killed after the tests. */
async function pythonServer(args: string[] = []): Promise<Peer> {
  const peer = await startPythonPeer(['transport_peer.py', 'serve', ...args]);
  pythonServers.push(peer);
  return peer;
}

/** What transport_peer.py call prints. */
interface PythonCall {
  code: string;
  details: string;
  initial: MetadataJson;
  trailing: MetadataJson;
  responses: string[];
}

interface PythonCallOptions {
  kind?: 'unary' | 'client_stream' | 'server_stream';
  request?: string;
  repeat?: number;
  count?: number;
  metadata?: [string, string][];
  compression?: 'gzip' | 'deflate';
  options?: [string, string | number][];
  tls?: { ca: string; key?: string; cert?: string };
}

/** One call from a Python grpc.aio client to 127.0.0.1:`port` (bounded: 30 s). */
async function pythonCall(
  port: number,
  method: string,
  options: PythonCallOptions = {},
): Promise<PythonCall> {
  const args = ['transport_peer.py', 'call', String(port), SERVICE + method, '--timeout', '10'];
  if (options.kind) args.push('--kind', options.kind);
  if (options.request !== undefined) args.push('--request', options.request);
  if (options.repeat !== undefined) args.push('--repeat', String(options.repeat));
  if (options.count !== undefined) args.push('--count', String(options.count));
  if (options.metadata) args.push('--metadata', JSON.stringify(options.metadata));
  if (options.compression) args.push('--compression', options.compression);
  if (options.options) args.push('--options', JSON.stringify(options.options));
  if (options.tls) {
    args.push('--tls-ca', options.tls.ca);
    if (options.tls.key) args.push('--tls-key', options.tls.key);
    if (options.tls.cert) args.push('--tls-cert', options.tls.cert);
  }
  const { stdout } = await runPython(args, 30_000);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as PythonCall;
}

// ---- a raw node:http2 client -------------------------------------------------------------------

interface RawFrame {
  flag: number;
  payload: Buffer;
}

interface RawResult {
  /** The first header block as sent: [name, value] pairs (no :status, no date). */
  headers: [string, string][];
  /** The trailers as sent, or undefined for a Trailers-Only response. */
  trailers: [string, string][] | undefined;
  frames: RawFrame[];
}

const sessions: ClientHttp2Session[] = [];

function pairs(raw: string[] | undefined, fallback: IncomingHttpHeaders): [string, string][] {
  const flat =
    raw ??
    Object.entries(fallback).flatMap(([key, value]) => (Array.isArray(value) ? [] : [key, String(value)]));
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const key = flat[index] as string;
    if (key === ':status' || key === 'date') continue;
    out.push([key, flat[index + 1] as string]);
  }
  return out;
}

function frame(message: Buffer, flag = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flag, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

function parseFrames(body: Buffer): RawFrame[] {
  const frames: RawFrame[] = [];
  let offset = 0;
  while (offset + 5 <= body.length && frames.length < 100) {
    const length = body.readUInt32BE(offset + 1);
    frames.push({ flag: body[offset] as number, payload: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  if (offset !== body.length) throw new Error(`trailing ${body.length - offset} bytes in the response body`);
  return frames;
}

/**
 * One POST of `messages` (each framed with `flag`: 1 when they are already compressed) to
 * 127.0.0.1:`port` with extra `headers`; 5 s bound.
 */
function rawCall(
  port: number,
  method: string,
  headers: OutgoingHttpHeaders,
  messages: Buffer[] = [Buffer.alloc(0)],
  flag = 0,
): Promise<RawResult> {
  const session = connect(`http://127.0.0.1:${port}`);
  sessions.push(session);
  session.on('error', () => {});
  return new Promise<RawResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw call: no end within 5 s')), 5000);
    const stream = session.request({
      ':method': 'POST',
      ':path': SERVICE + method,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let result: RawResult | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (responseHeaders: IncomingHttpHeaders, _flags: number, raw?: string[]) => {
      result = { headers: pairs(raw, responseHeaders), trailers: undefined, frames: [] };
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders, _flags: number, raw?: string[]) => {
      if (result) result.trailers = pairs(raw, trailers);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    stream.on('close', () => {
      clearTimeout(timer);
      session.close();
      if (result === undefined)
        return reject(new Error(`stream closed (rst ${stream.rstCode}) without headers`));
      try {
        result.frames = parseFrames(Buffer.concat(chunks));
      } catch (error) {
        return reject(error);
      }
      resolve(result);
    });
    stream.end(Buffer.concat(messages.map((message) => frame(message, flag))));
  });
}

const header = (headers: [string, string][] | undefined, key: string): string[] =>
  (headers ?? []).filter(([name]) => name === key).map(([, value]) => value);

/** Every field of a response: headers, then trailers. */
const fields = (result: RawResult): [string, string][] => [...result.headers, ...(result.trailers ?? [])];

/** A response's shape in one line: Trailers-Only or not, message count, every field in order. */
const block = (result: RawResult): string =>
  `${result.trailers === undefined ? 'Trailers-Only' : 'headers + trailers'}, ${result.frames.length} messages: ${JSON.stringify(fields(result))}`;

afterAll(async () => {
  // Every raw call closed its session; a session left open is a defect of rawCall.
  const open = sessions.filter((session) => !session.closed).length;
  for (const session of sessions.splice(0)) session.destroy();
  await Promise.all(servers.splice(0).map((srv) => srv.stop(null)));
  await Promise.all(pythonServers.splice(0).map((peer) => peer.kill()));
  expect(open).toBe(0);
});

// ---- 1 and 2: invocation metadata --------------------------------------------------------------

/** The request headers of the raw client (the same bytes to both servers). */
const RAW_REQUEST_HEADERS: OutgoingHttpHeaders = {
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-timeout': '5S',
  'x-a': ['1', '2'],
  // Unpadded base64 of 00 01 fe ff (padded: AAH+/w==).
  'x-b-bin': 'AAH+/w',
  'user-agent': 'raw-http2-test/1.0',
  'x-c': 'c',
};

const PYTHON_USER_AGENT = /^grpc-python-asyncio\/\S+ grpc-c\/\S+ \(\w+; chttp2\)$/;

describe.skipIf(noPython)(pythonTitle('A54 invocation metadata: our server against Python grpc.aio'), () => {
  let python: Peer;
  let ours: number;
  beforeAll(async () => {
    [python, ours] = await Promise.all([pythonServer(), ourServer()]);
  });

  const seen = (result: PythonCall): MetadataJson => {
    expect([result.code, result.details]).toEqual(['OK', '']);
    return JSON.parse(result.responses[0] ?? 'null') as MetadataJson;
  };
  const fromRaw = (result: RawResult): MetadataJson => {
    expect(header(result.trailers, 'grpc-status')).toEqual(['0']);
    return JSON.parse(result.frames[0]?.payload.toString() ?? 'null') as MetadataJson;
  };

  it('A54 A17 a Python grpc.aio client: our handler sees exactly what a Python handler sees', async () => {
    const metadata: [string, string][] = [
      ['x-a', '1'],
      ['x-a', '2'],
      ['x-b-bin', '0001feff'],
      ['x-c', 'c'],
    ];
    const [theirs, mine] = await Promise.all([
      pythonCall(python.port, 'Metadata', { metadata }).then(seen),
      pythonCall(ours, 'Metadata', { metadata }).then(seen),
    ]);
    // The same client sends both: even the user-agent is the same bytes, and the order is the same.
    expect(mine).toEqual(theirs);
    expect(theirs[0]?.[0]).toBe('user-agent');
    expect(theirs[0]?.[1]).toMatch(PYTHON_USER_AGENT);
    expect(JSON.stringify(theirs.slice(1))).toMatchInlineSnapshot(
      `"[["x-a","1"],["x-a","2"],["x-b-bin","0001feff","bytes"],["x-c","c"]]"`,
    );
  });

  it('A54 a raw HTTP/2 client (user-agent, grpc-accept-encoding, grpc-timeout, te, x-a twice, unpadded -bin): the same metadata', async () => {
    const [theirs, mine] = await Promise.all([
      rawCall(python.port, 'Metadata', RAW_REQUEST_HEADERS).then(fromRaw),
      rawCall(ours, 'Metadata', RAW_REQUEST_HEADERS).then(fromRaw),
    ]);
    // C-core hands `user-agent` over first wherever it was on the wire; so does grpc-aio.
    expect(mine).toEqual(theirs);
    expect(JSON.stringify(mine)).toMatchInlineSnapshot(
      `"[["user-agent","raw-http2-test/1.0"],["x-a","1"],["x-a","2"],["x-b-bin","0001feff","bytes"],["x-c","c"]]"`,
    );
    expect(byKey(mine)).toEqual(byKey(theirs));
  });

  it('A11 A54 interleaved repeated keys: the same values per key (the order of different keys differs)', async () => {
    const metadata: [string, string][] = [
      ['x-a', '1'],
      ['x-b', 'b'],
      ['x-a', '2'],
    ];
    const [theirs, mine] = await Promise.all([
      pythonCall(python.port, 'Metadata', { metadata }).then(seen),
      pythonCall(ours, 'Metadata', { metadata }).then(seen),
    ]);
    // Python's invocation_metadata() is a tuple in wire order; grpc-aio's Metadata (a key -> values
    // map, as Python's own aio.Metadata is) groups a key's values.
    expect({
      python: JSON.stringify(theirs.slice(1)),
      ours: JSON.stringify(mine.slice(1)),
    }).toMatchInlineSnapshot(`
      {
        "ours": "[["x-a","1"],["x-a","2"],["x-b","b"]]",
        "python": "[["x-a","1"],["x-b","b"],["x-a","2"]]",
      }
    `);
    expect(byKey(mine)).toEqual(byKey(theirs));
  });

  // C-core (Python grpc.aio 1.51 here) takes these request keys out of the application's metadata,
  // or keeps them; RESERVED_REQUEST in packages/server/src/transport/wire-metadata.ts follows it.
  it('A54 transport-only request keys: our server keeps and drops the same keys as C-core', async () => {
    const headers: OutgoingHttpHeaders = {
      ...RAW_REQUEST_HEADERS,
      'grpc-encoding': 'identity',
      'grpc-internal-encoding-request': 'gzip',
      'grpc-status': '3',
      'grpc-message': 'm',
      'grpc-trace-bin': 'AAE',
      'grpc-tags-bin': 'AAE',
      'grpc-server-stats-bin': 'AAE',
      'endpoint-load-metrics-bin': 'AAE',
      'lb-cost-bin': 'AAAA',
      'lb-token': 'token',
      'grpc-previous-rpc-attempts': '1',
      'grpc-retry-pushback-ms': '5',
      'grpc-lb-client-stats': 'x',
      'accept-encoding': 'gzip',
      // The body is one empty message: 5 bytes.
      'content-length': '5',
    };
    const [theirs, mine] = await Promise.all([
      rawCall(python.port, 'Metadata', headers).then(fromRaw),
      rawCall(ours, 'Metadata', headers).then(fromRaw),
    ]);
    expect(JSON.stringify(byKey(theirs))).toMatchInlineSnapshot(
      `"[["accept-encoding",["gzip"]],["content-length",["5"]],["grpc-lb-client-stats",["x"]],["grpc-previous-rpc-attempts",["1"]],["grpc-retry-pushback-ms",["5"]],["lb-token",["token"]],["user-agent",["raw-http2-test/1.0"]],["x-a",["1","2"]],["x-b-bin",["0001feff (bytes)"]],["x-c",["c"]]]"`,
    );
    const keys = (list: MetadataJson) => new Set(list.map(([key]) => key));
    const [theirKeys, myKeys] = [keys(theirs), keys(mine)];
    expect({
      keptOnlyByOurs: [...myKeys].filter((key) => !theirKeys.has(key)),
      droppedOnlyByOurs: [...theirKeys].filter((key) => !myKeys.has(key)),
    }).toEqual({ keptOnlyByOurs: [], droppedOnlyByOurs: [] });
    expect(byKey(mine)).toEqual(byKey(theirs));
  });
});

describe.skipIf(noPython)(pythonTitle('A54 repeated request keys from a Python client'), () => {
  it('A54 A15 (x-a, 1), (x-a, 2) reach our handler as two values, in order', async () => {
    const port = await ourServer();
    repeatedSeen.length = 0;
    const result = await pythonCall(port, 'Repeated', {
      metadata: [
        ['x-a', '1'],
        ['x-a', '2'],
      ],
    });
    expect(result.code).toBe('OK');
    expect(repeatedSeen).toEqual([['1', '2']]);
  });
});

// ---- 3: compression ----------------------------------------------------------------------------

const A1000 = 'a'.repeat(1000);

describe.skipIf(noPython)(pythonTitle('A57 A70 compression with a Python grpc.aio client'), () => {
  it('A57 gzip-compressed requests (unary and client-streaming) are decompressed by our server', async () => {
    const port = await ourServer();
    const unary = await pythonCall(port, 'Echo', { request: 'a', repeat: 5000, compression: 'gzip' });
    expect([unary.code, unary.details, unary.responses]).toEqual(['OK', '', ['a'.repeat(5000)]]);
    const stream = await pythonCall(port, 'Collect', {
      kind: 'client_stream',
      request: A1000,
      count: 3,
      compression: 'gzip',
    });
    expect([stream.code, stream.details, stream.responses]).toEqual(['OK', '', ['a'.repeat(3000)]]);
  });

  it('A57 A1 the requests really were compressed: the size limit applies after decompression, as in C-core', async () => {
    // 5000 bytes of 'a' gzip to ~40 bytes: only a server that decompressed them sees 5000 > 1000.
    const options: [string, number][] = [['grpc.max_receive_message_length', 1000]];
    const [python, ours] = await Promise.all([
      pythonServer(['--options', JSON.stringify(options)]),
      ourServer({ options }),
    ]);
    const outcome = async (port: number, compression?: 'gzip') => {
      const result = await pythonCall(port, 'Echo', {
        request: 'a',
        repeat: 5000,
        ...(compression ? { compression } : {}),
      });
      return `${result.code}: ${result.details}`;
    };
    const [theirs, mine] = await Promise.all([
      Promise.all([outcome(python.port, 'gzip'), outcome(python.port)]),
      Promise.all([outcome(ours, 'gzip'), outcome(ours)]),
    ]);
    // Difference: C-core decompresses the whole message and says how large it was; grpc-aio stops
    // decompressing past the limit (a gzip bomb costs no more) and says "more than".
    expect({ python: theirs, ours: mine }).toMatchInlineSnapshot(`
      {
        "ours": [
          "RESOURCE_EXHAUSTED: Received message larger than max (more than 1001 vs. 1000)",
          "RESOURCE_EXHAUSTED: Received message larger than max (5000 vs. 1000)",
        ],
        "python": [
          "RESOURCE_EXHAUSTED: Received message larger than max (5000 vs. 1000)",
          "RESOURCE_EXHAUSTED: Received message larger than max (5000 vs. 1000)",
        ],
      }
    `);
  });

  // A compressed message of exactly limit + 1 bytes: the decompressor returns all of it
  // (maxOutputLength is limit + 1), so its size is known and said, as C-core does.
  it('A57 A1 a gzip message of exactly limit + 1 bytes: the same details as C-core', async () => {
    const options: [string, number][] = [['grpc.max_receive_message_length', 1000]];
    const [python, ours] = await Promise.all([
      pythonServer(['--options', JSON.stringify(options)]),
      ourServer({ options }),
    ]);
    const outcome = async (port: number, size: number) => {
      const result = await rawCall(
        port,
        'Echo',
        { 'grpc-encoding': 'gzip' },
        [gzipSync('a'.repeat(size))],
        1,
      );
      return [...header(fields(result), 'grpc-status'), ...header(fields(result), 'grpc-message')].join(' ');
    };
    const [theirs, mine] = await Promise.all([
      Promise.all([outcome(python.port, 1000), outcome(python.port, 1001)]),
      Promise.all([outcome(ours, 1000), outcome(ours, 1001)]),
    ]);
    expect(theirs).toMatchInlineSnapshot(`
      [
        "0",
        "8 Received message larger than max (1001 vs. 1000)",
      ]
    `);
    expect(mine).toEqual(theirs);
  });

  it('A57 A70 server({ compression: Gzip }) and setCompression(Deflate): a Python client reads the responses', async () => {
    const gzipPort = await ourServer({ compression: Compression.Gzip });
    const plainPort = await ourServer();
    const results = await Promise.all([
      pythonCall(gzipPort, 'Echo', { request: A1000 }),
      pythonCall(gzipPort, 'Stream', { kind: 'server_stream', request: A1000 }),
      pythonCall(plainPort, 'EchoDeflate', { request: A1000 }),
      pythonCall(plainPort, 'StreamDeflate', { kind: 'server_stream', request: A1000 }),
    ]);
    expect(results.map((r) => [r.code, r.details, r.responses.map((x) => x === A1000)])).toEqual([
      ['OK', '', [true]],
      ['OK', '', [true, true, true]],
      ['OK', '', [true]],
      ['OK', '', [true]],
    ]);
  });
});

describe('A57 A70 compression with a grpc-js client (grpc.default_compression_algorithm)', () => {
  const clients: grpc.Client[] = [];
  afterAll(() => {
    for (const client of clients.splice(0)) client.close();
  });

  function echo(port: number, path: string, request: Buffer): Promise<[number, string, Buffer | undefined]> {
    // 2 = gzip: requests are sent compressed, responses are accepted compressed.
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    clients.push(client);
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        (value: Buffer) => value,
        (value: Buffer) => value,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + 5000 },
        (error, response) =>
          resolve(error ? [error.code, error.details, undefined] : [grpc.status.OK, '', response]),
      );
    });
  }

  it('A57 gzip requests in, gzip and deflate responses out', async () => {
    const request = Buffer.from(A1000);
    const gzipPort = await ourServer({ compression: Compression.Gzip });
    const plainPort = await ourServer();
    expect(await echo(plainPort, `${SERVICE}Echo`, request)).toEqual([0, '', request]);
    expect(await echo(gzipPort, `${SERVICE}Echo`, request)).toEqual([0, '', request]);
    expect(await echo(plainPort, `${SERVICE}EchoDeflate`, request)).toEqual([0, '', request]);
  });
});

describe('A57 compression on the wire (raw HTTP/2 client against our server)', () => {
  let gzipPort: number;
  let plainPort: number;
  beforeAll(async () => {
    [gzipPort, plainPort] = await Promise.all([ourServer({ compression: Compression.Gzip }), ourServer()]);
  });
  const message = Buffer.from(A1000);

  it('A57 server({ compression: Gzip }), client accepts gzip: grpc-encoding gzip, flag 1, gunzips to the message', async () => {
    const result = await rawCall(gzipPort, 'Echo', { 'grpc-accept-encoding': 'gzip' }, [message]);
    expect(header(result.headers, 'grpc-encoding')).toEqual(['gzip']);
    expect(result.frames.map((f) => f.flag)).toEqual([1]);
    expect(gunzipSync(result.frames[0]?.payload ?? Buffer.alloc(0))).toEqual(message);
    expect(header(result.trailers, 'grpc-status')).toEqual(['0']);
  });

  it('A57 disableNextMessageCompression(): only the next message goes out with flag 0', async () => {
    const result = await rawCall(gzipPort, 'Stream', { 'grpc-accept-encoding': 'identity,gzip' }, [message]);
    expect(header(result.headers, 'grpc-encoding')).toEqual(['gzip']);
    expect(result.frames.map((f) => f.flag)).toEqual([1, 0, 1]);
    expect(gunzipSync(result.frames[0]?.payload ?? Buffer.alloc(0))).toEqual(message);
    expect(result.frames[1]?.payload).toEqual(message);
    expect(gunzipSync(result.frames[2]?.payload ?? Buffer.alloc(0))).toEqual(message);
  });

  it('A57 a client sending no grpc-accept-encoding gets flag 0 and no grpc-encoding', async () => {
    const result = await rawCall(gzipPort, 'Stream', {}, [message]);
    expect(header(result.headers, 'grpc-encoding')).toEqual([]);
    expect(result.frames.map((f) => [f.flag, f.payload.equals(message)])).toEqual([
      [0, true],
      [0, true],
      [0, true],
    ]);
  });

  it('A57 setCompression(Deflate): grpc-encoding deflate, flag 1, inflates to the message', async () => {
    const result = await rawCall(plainPort, 'EchoDeflate', { 'grpc-accept-encoding': 'deflate' }, [message]);
    expect(header(result.headers, 'grpc-encoding')).toEqual(['deflate']);
    expect(result.frames.map((f) => f.flag)).toEqual([1]);
    expect(inflateSync(result.frames[0]?.payload ?? Buffer.alloc(0))).toEqual(message);
  });
});

describe.skipIf(noPython)(
  pythonTitle('A57 compression on the wire: our server against Python grpc.aio'),
  () => {
    let python: Peer;
    let ours: number;
    beforeAll(async () => {
      [python, ours] = await Promise.all([
        pythonServer(['--compression', 'gzip']),
        ourServer({ compression: Compression.Gzip }),
      ]);
    });
    const message = Buffer.from(A1000);
    const shape = (result: RawResult) =>
      `grpc-encoding [${header(result.headers, 'grpc-encoding')}], flags [${result.frames.map((f) => f.flag)}], grpc-status [${header(result.trailers, 'grpc-status')}]`;
    const both = (accept: OutgoingHttpHeaders) =>
      Promise.all([
        rawCall(python.port, 'Stream', accept, [message]).then(shape),
        rawCall(ours, 'Stream', accept, [message]).then(shape),
      ]);

    it('A57 server-wide gzip, the client accepts identity,deflate,gzip: the same encoding and flags', async () => {
      const [theirs, mine] = await both({ 'grpc-accept-encoding': 'identity,deflate,gzip' });
      expect(theirs).toMatchInlineSnapshot(`"grpc-encoding [gzip], flags [1,0,1], grpc-status [0]"`);
      expect(mine).toBe(theirs);
    });

    // Difference (ours follows doc/compression.md, C-core 1.51 does not): C-core compresses with the
    // server's default algorithm even when the client did not list it in grpc-accept-encoding.
    it('A57 server-wide gzip, the client sends no grpc-accept-encoding: C-core compresses anyway, ours does not', async () => {
      const [theirs, mine] = await both({});
      expect({ python: theirs, ours: mine }).toMatchInlineSnapshot(`
      {
        "ours": "grpc-encoding [], flags [0,0,0], grpc-status [0]",
        "python": "grpc-encoding [gzip], flags [1,0,1], grpc-status [0]",
      }
    `);
    });

    it('A57 server-wide gzip, the client accepts identity only: C-core compresses anyway, ours does not', async () => {
      const [theirs, mine] = await both({ 'grpc-accept-encoding': 'identity' });
      expect({ python: theirs, ours: mine }).toMatchInlineSnapshot(`
      {
        "ours": "grpc-encoding [], flags [0,0,0], grpc-status [0]",
        "python": "grpc-encoding [gzip], flags [1,0,1], grpc-status [0]",
      }
    `);
    });
  },
);

// ---- 4: grpc.compression_enabled_algorithms_bitset -----------------------------------------------

describe.skipIf(noPython)(
  pythonTitle('A57 grpc.compression_enabled_algorithms_bitset 1 (identity only)'),
  () => {
    it('A57 a gzip request from a Python client: the same code (and details) as a Python server', async () => {
      const options: [string, number][] = [['grpc.compression_enabled_algorithms_bitset', 1]];
      const [python, ours] = await Promise.all([
        pythonServer(['--options', JSON.stringify(options)]),
        ourServer({ options }),
      ]);
      const outcome = async (port: number) => {
        const result = await pythonCall(port, 'Echo', { request: A1000, compression: 'gzip' });
        return `${result.code}: ${result.details}; trailing ${JSON.stringify(result.trailing)}`;
      };
      const [theirs, mine] = await Promise.all([outcome(python.port), outcome(ours)]);
      expect(theirs).toMatchInlineSnapshot(
        `"UNIMPLEMENTED: Compression algorithm 'gzip' is disabled.; trailing []"`,
      );
      expect(mine).toBe(theirs);
      // The same client without compression is served.
      const plain = await pythonCall(ours, 'Echo', { request: A1000 });
      expect([plain.code, plain.responses[0] === A1000]).toEqual(['OK', true]);
    });

    it('A57 the refusal on the wire: the same status as a Python server (ours adds grpc-accept-encoding)', async () => {
      const options: [string, number][] = [['grpc.compression_enabled_algorithms_bitset', 1]];
      const [python, ours] = await Promise.all([
        pythonServer(['--options', JSON.stringify(options)]),
        ourServer({ options }),
      ]);
      const request = [gzipSync(A1000)];
      const [theirs, mine] = await Promise.all([
        rawCall(python.port, 'Echo', { 'grpc-encoding': 'gzip' }, request, 1),
        rawCall(ours, 'Echo', { 'grpc-encoding': 'gzip' }, request, 1),
      ]);
      // Difference: doc/compression.md asks a server refusing an algorithm to list what it accepts in
      // grpc-accept-encoding; grpc-aio does, C-core 1.51 sends no grpc-accept-encoding here.
      expect({ python: block(theirs), ours: block(mine) }).toMatchInlineSnapshot(`
      {
        "ours": "Trailers-Only, 0 messages: [["content-type","application/grpc"],["grpc-status","12"],["grpc-message","Compression algorithm 'gzip' is disabled."],["grpc-accept-encoding","identity"]]",
        "python": "Trailers-Only, 0 messages: [["content-type","application/grpc"],["grpc-status","12"],["grpc-message","Compression algorithm 'gzip' is disabled."]]",
      }
    `);
      const status = (result: RawResult) =>
        ['grpc-status', 'grpc-message'].map((key) => header(fields(result), key));
      expect(status(mine)).toEqual(status(theirs));
    });
  },
);

// ---- 5: TLS and mutual TLS with a Python client --------------------------------------------------

/** A Python client's failure text with the port taken out. */
const withoutPort = (details: string): string => details.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');

describe.skipIf(noPython)(pythonTitle('A71 A58 TLS with a Python grpc.aio client'), () => {
  interface Who {
    identities: string[] | null;
    key: string | null;
    auth: Record<string, string[]>;
  }
  const who = async (port: number, tls: PythonCallOptions['tls']): Promise<Who> => {
    const result = await pythonCall(port, 'Who', { tls });
    expect([result.code, result.details]).toEqual(['OK', '']);
    return JSON.parse(result.responses[0] ?? 'null') as Who;
  };

  it('A71 A58 plain TLS: the call works, no peer identity (as on a Python server)', async () => {
    const [python, ours] = await Promise.all([
      pythonServer(['--tls-key', TLS.serverKey, '--tls-cert', TLS.serverCert]),
      ourServer({
        credentials: sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }]),
      }),
    ]);
    const [theirs, mine] = await Promise.all([who(python.port, { ca: TLS.ca }), who(ours, { ca: TLS.ca })]);
    expect([mine.identities, mine.key]).toEqual([null, null]);
    expect([mine.identities, mine.key]).toEqual([theirs.identities, theirs.key]);
    // Difference: C-core's auth context also has ssl_session_reused.
    expect({ python: JSON.stringify(theirs.auth), ours: JSON.stringify(mine.auth) }).toMatchInlineSnapshot(`
      {
        "ours": "{"security_level":["TSI_PRIVACY_AND_INTEGRITY"],"transport_security_type":["ssl"]}",
        "python": "{"security_level":["TSI_PRIVACY_AND_INTEGRITY"],"ssl_session_reused":["false"],"transport_security_type":["ssl"]}",
      }
    `);
  });

  describe('mutual TLS', () => {
    let python: Peer;
    let ours: number;
    beforeAll(async () => {
      [python, ours] = await Promise.all([
        pythonServer([
          '--tls-key',
          TLS.serverKey,
          '--tls-cert',
          TLS.serverCert,
          '--tls-ca',
          TLS.ca,
          '--require-client-auth',
        ]),
        ourServer({
          credentials: sslServerCredentials(
            [{ privateKey: serverKey, certificateChain: serverCert }],
            caCert,
            true,
          ),
        }),
      ]);
    });

    it('A71 A58 with the client certificate: OK, and the handler sees the peer identities a Python handler sees', async () => {
      const tls = { ca: TLS.ca, key: TLS.clientKey, cert: TLS.clientCert };
      const [theirs, mine] = await Promise.all([who(python.port, tls), who(ours, tls)]);
      expect([mine.identities, mine.key]).toEqual([['client.test'], 'x509_subject_alternative_name']);
      expect([mine.identities, mine.key]).toEqual([theirs.identities, theirs.key]);
      // Difference: C-core's auth context also has peer_dns, ssl_session_reused and x509_subject.
      expect({ python: JSON.stringify(theirs.auth), ours: JSON.stringify(mine.auth) }).toMatchInlineSnapshot(`
        {
          "ours": "{"security_level":["TSI_PRIVACY_AND_INTEGRITY"],"transport_security_type":["ssl"],"x509_common_name":["grpc-aio test client"],"x509_subject_alternative_name":["client.test"]}",
          "python": "{"peer_dns":["client.test"],"security_level":["TSI_PRIVACY_AND_INTEGRITY"],"ssl_session_reused":["false"],"transport_security_type":["ssl"],"x509_common_name":["grpc-aio test client"],"x509_subject":["CN=grpc-aio test client"],"x509_subject_alternative_name":["client.test"]}",
        }
      `);
    });

    it('A71 without a client certificate: UNAVAILABLE, as from a Python server', async () => {
      const outcome = async (port: number) => {
        const result = await pythonCall(port, 'Who', { tls: { ca: TLS.ca } });
        return `${result.code}: ${withoutPort(result.details)}`;
      };
      const [theirs, mine] = await Promise.all([outcome(python.port), outcome(ours)]);
      expect({ python: theirs, ours: mine }).toMatchInlineSnapshot(`
        {
          "ours": "UNAVAILABLE: failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:<port>: Endpoint read failed",
          "python": "UNAVAILABLE: failed to connect to all addresses; last error: UNAVAILABLE: ipv4:127.0.0.1:<port>: Socket closed",
        }
      `);
      expect(mine.split(':')[0]).toBe('UNAVAILABLE');
    });
  });
});

// ---- 6: Trailers-Only and error details ----------------------------------------------------------

describe.skipIf(noPython)(pythonTitle('A51 A53 abort with non-ASCII details and binary trailers'), () => {
  let python: Peer;
  let ours: number;
  beforeAll(async () => {
    [python, ours] = await Promise.all([pythonServer(), ourServer()]);
  });

  it('A51 A53 a Python client sees the same code, details and metadata from both servers', async () => {
    const [theirs, mine] = await Promise.all([pythonCall(python.port, 'Abort'), pythonCall(ours, 'Abort')]);
    expect(theirs).toMatchInlineSnapshot(`
      {
        "code": "FAILED_PRECONDITION",
        "details": "héllo 100% ✓",
        "initial": [],
        "responses": [],
        "trailing": [
          [
            "x-t",
            "v1",
          ],
          [
            "x-t",
            "v2",
          ],
          [
            "x-t-bin",
            "00ff10",
            "bytes",
          ],
        ],
      }
    `);
    expect(mine).toEqual(theirs);
  });

  it('A51 on the wire: both answer Trailers-Only with the same fields', async () => {
    const accept = { 'grpc-accept-encoding': 'identity,deflate,gzip' };
    const [theirs, mine] = await Promise.all([
      rawCall(python.port, 'Abort', accept),
      rawCall(ours, 'Abort', accept),
    ]);
    // Difference in order only: grpc-aio's Metadata groups a key's values (x-t, x-t, x-t-bin);
    // C-core sends them as the handler listed them (x-t, x-t-bin, x-t).
    expect({ python: block(theirs), ours: block(mine) }).toMatchInlineSnapshot(`
      {
        "ours": "Trailers-Only, 0 messages: [["content-type","application/grpc"],["grpc-status","9"],["grpc-message","h%C3%A9llo 100%25 %E2%9C%93"],["x-t","v1"],["x-t","v2"],["x-t-bin","AP8Q"]]",
        "python": "Trailers-Only, 0 messages: [["content-type","application/grpc"],["grpc-status","9"],["grpc-message","h%C3%A9llo 100%25 %E2%9C%93"],["x-t","v1"],["x-t-bin","AP8Q"],["x-t","v2"]]",
      }
    `);
    const sorted = (result: RawResult) => fields(result).sort();
    expect([mine.trailers === undefined, sorted(mine)]).toEqual([
      theirs.trailers === undefined,
      sorted(theirs),
    ]);
  });
});

// ---- 7: mixed handler styles (Python's tests_aio *_evilly_mixed) ------------------------------------

describe.skipIf(noPython)(pythonTitle('A61 mixed handler styles'), () => {
  let python: Peer;
  let ours: number;
  beforeAll(async () => {
    [python, ours] = await Promise.all([pythonServer(), ourServer()]);
  });

  it('A61 yield and context.write() mixed: a Python client gets the same responses, in the same order', async () => {
    const [theirs, mine] = await Promise.all([
      pythonCall(python.port, 'Mixed', { kind: 'server_stream' }),
      pythonCall(ours, 'Mixed', { kind: 'server_stream' }),
    ]);
    expect([theirs.code, theirs.responses]).toEqual(['OK', ['w1', 'y1', 'w2', 'y2']]);
    expect(mine).toEqual(theirs);
  });

  it('A61 read() and iteration mixed: each takes the next request, as in Python', async () => {
    const options = { kind: 'client_stream' as const, request: 'r', count: 4 };
    const [theirs, mine] = await Promise.all([
      pythonCall(python.port, 'MixedRead', options),
      pythonCall(ours, 'MixedRead', options),
    ]);
    expect([theirs.code, theirs.responses]).toEqual(['OK', ['["r",["r"],"r",["r"],["EOF","EOF"]]']]);
    expect(mine).toEqual(theirs);
  });
});
