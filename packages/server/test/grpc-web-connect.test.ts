// Interop with a real gRPC-Web client library: @connectrpc/connect-web's gRPC-Web transport, run in
// Node on the global fetch (HTTP/1.1), against the server's own port.
import { create, createFileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_wrappers } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import { describe, expect, it } from 'vitest';
import { CANCELLED_BY_CLIENT } from '../src/index.js';
import { FAIL_DETAILS, newSeen, type Seen, stringValue, webService } from './grpc-web-service.js';
import { startServer } from './helpers.js';

const StringValue = '.google.protobuf.StringValue';
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'test/web.proto',
    package: 'test',
    dependency: ['google/protobuf/wrappers.proto'],
    syntax: 'proto3',
    service: [
      {
        name: 'Web',
        method: [
          { name: 'Unary', inputType: StringValue, outputType: StringValue },
          { name: 'Stream', inputType: StringValue, outputType: StringValue, serverStreaming: true },
        ],
      },
    ],
  }),
  (name) => (name === 'google/protobuf/wrappers.proto' ? file_google_protobuf_wrappers : undefined),
);
const Web = registry.getService('test.Web');
if (Web === undefined) throw new Error('test.Web not in the registry');

async function connectClient(seen?: Seen) {
  const { port } = await startServer((srv) => srv.addGenericRpcHandlers([webService(stringValue, seen)]), {
    grpcWeb: { allowedOrigins: '*' },
  });
  const transport = createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${port}` });
  return createClient(Web as NonNullable<typeof Web>, transport);
}

// The client's methods are typed from a descriptor made at run time: called through this shape.
type Value = { value: string };
type Options = {
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onHeader?: (headers: Headers) => void;
  onTrailer?: (trailers: Headers) => void;
};
type WebClient = {
  unary(request: Value, options?: Options): Promise<Value>;
  stream(request: Value, options?: Options): AsyncIterable<Value>;
};

describe('gRPC-Web interop: @connectrpc/connect-web (createGrpcWebTransport, global fetch)', () => {
  it('unary', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    expect((await client.unary({ value: 'connect' })).value).toBe('hello connect');
  });

  it('server streaming, with headers and trailers (-bin decoded)', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    let headers: Headers | undefined;
    let trailers: Headers | undefined;
    const values: string[] = [];
    for await (const response of client.stream(
      { value: 's' },
      { onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) },
    )) {
      values.push(response.value);
    }
    expect(values).toEqual(['s-0', 's-1', 's-2']);
    expect(headers?.get('x-initial')).toBe('yes');
    expect(trailers?.get('x-trailer')).toBe('done');
    expect(trailers?.get('x-trailer-bin')).toBe(Buffer.from([1, 2, 3]).toString('base64'));
  });

  it('metadata (-bin included) reaches the handler', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    const response = await client.unary(
      { value: 'metadata' },
      { headers: { 'x-custom': 'from-connect', 'x-token-bin': Buffer.from([7, 7]).toString('base64') } },
    );
    expect(response.value).toBe('from-connect|7,7');
  });

  it('a Trailers-Only error: code, message and metadata', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    const error = await client.unary({ value: 'fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    const connectError = error as ConnectError;
    expect(connectError.code).toBe(Code.NotFound);
    expect(connectError.rawMessage).toBe(FAIL_DETAILS);
    expect(connectError.metadata.get('x-reason')).toBe('missing');
  });

  it('an error after messages, from the trailer frame', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    const values: string[] = [];
    const error = await (async () => {
      for await (const response of client.stream({ value: 'fail-after' })) values.push(response.value);
    })().catch((e: unknown) => e);
    expect(values).toEqual(['fail-after-0', 'fail-after-1', 'fail-after-2']);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((error as ConnectError).rawMessage).toBe(FAIL_DETAILS);
    expect((error as ConnectError).metadata.get('x-after')).toBe('three');
  });

  it('a deadline (grpc-timeout) ends in DEADLINE_EXCEEDED', async () => {
    const client = (await connectClient()) as unknown as WebClient;
    const error = await client.unary({ value: 'wait' }, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("aborting the call cancels the server's RPC", async () => {
    const seen = newSeen();
    const client = (await connectClient(seen)) as unknown as WebClient;
    const controller = new AbortController();
    const values: string[] = [];
    const done = (async () => {
      for await (const response of client.stream({ value: 'wait' }, { signal: controller.signal })) {
        values.push(response.value);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    await expect.poll(() => seen.peer).not.toBe('');
    expect(((await seen.aborted) as Error).message).toBe(CANCELLED_BY_CLIENT);
    expect(((await done) as ConnectError).code).toBe(Code.Canceled);
    expect(values).toEqual(['first']);
  });
});
