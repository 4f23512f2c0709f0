// A trace crossing between grpc-aio (with the OpenTelemetryPlugin) and a raw grpc-js peer
// instrumented by @opentelemetry/instrumentation-grpc (issue 19, item 3): both sides carry the W3C
// `traceparent` in the request metadata through the global propagator, so either can be the parent.
import { createRequire } from 'node:module';
import type * as GrpcJs from '@grpc/grpc-js';
import * as grpcJsAsGrpcAioLoadsIt from '@grpc/grpc-js';
import { type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import type { Server } from '@grpc-aio/core';
import { server, unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import { context, propagation, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenTelemetryPlugin } from '../src/index.js';

const SERVICE = 'test.Echo';
const METHOD = `/${SERVICE}/Unary`;
const INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-grpc';

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const plugin = new OpenTelemetryPlugin({ tracerProvider });

let unregister: (() => void) | undefined;
/** grpc-js as required after the instrumentation is enabled: patched by it. */
let grpcJs: typeof GrpcJs;

// Unary, bytes in and bytes out (the identity (de)serializers).
const identity = (buffer: Buffer): Buffer => buffer;
const definition = {
  Unary: {
    path: METHOD,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies GrpcJs.ServiceDefinition;

const open = {
  grpcAioServers: [] as Server[],
  grpcAioChannels: [] as ClientChannel[],
  grpcJsServers: [] as GrpcJs.Server[],
  grpcJsClients: [] as GrpcJs.Client[],
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  unregister = registerInstrumentations({ instrumentations: [new GrpcInstrumentation()], tracerProvider });
  // The instrumentation patches grpc-js through require-in-the-middle, when it is required: under
  // vitest's ESM, require it (CommonJS) after enabling it.
  grpcJs = createRequire(import.meta.url)('@grpc/grpc-js') as typeof GrpcJs;
});

afterEach(async () => {
  for (const client of open.grpcJsClients.splice(0)) client.close();
  await Promise.all(open.grpcAioChannels.splice(0).map((channel) => channel.close()));
  await Promise.all(open.grpcAioServers.splice(0).map((srv) => srv.stop(null)));
  await Promise.all(
    open.grpcJsServers
      .splice(0)
      .map((srv) => new Promise<void>((resolve) => srv.tryShutdown(() => resolve()))),
  );
  exporter.reset();
});

afterAll(() => {
  unregister?.();
  context.disable();
  propagation.disable();
});

/** A raw grpc-js server answering each request with itself doubled. */
async function startGrpcJsServer(): Promise<string> {
  const srv = new grpcJs.Server();
  srv.addService(definition, {
    Unary: (call: GrpcJs.ServerUnaryCall<Buffer, Buffer>, callback: GrpcJs.sendUnaryData<Buffer>) =>
      callback(null, Buffer.concat([call.request, call.request])),
  });
  const port = await new Promise<number>((resolve, reject) =>
    srv.bindAsync('127.0.0.1:0', grpcJs.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  open.grpcJsServers.push(srv);
  return `127.0.0.1:${port}`;
}

/** A grpc-aio server, with the plugin, answering each request with itself doubled. */
async function startGrpcAioServer(): Promise<string> {
  const srv = server({ telemetry: plugin });
  srv.addRegisteredMethodHandlers(SERVICE, {
    Unary: unaryUnaryRpcMethodHandler(async (request: Buffer) => Buffer.concat([request, request])),
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  open.grpcAioServers.push(srv);
  return `127.0.0.1:${port}`;
}

/** The finished spans, once there are `count` of them. */
async function finishedSpans(count: number): Promise<ReadableSpan[]> {
  await vi.waitFor(() => expect(exporter.getFinishedSpans()).toHaveLength(count));
  return exporter.getFinishedSpans();
}

function only(spans: ReadableSpan[], scope: string, kind: SpanKind): ReadableSpan {
  const matching = spans.filter((span) => span.instrumentationScope.name === scope && span.kind === kind);
  expect(matching, `${scope} ${SpanKind[kind]}`).toHaveLength(1);
  return matching[0]!;
}

describe('with @opentelemetry/instrumentation-grpc on a raw grpc-js peer', () => {
  it('patches the grpc-js that grpc-aio loads too (one module), which grpc-aio calls do not go through', () => {
    // The same module instance: what the instrumentation wraps, grpc-aio's import sees wrapped.
    expect(grpcJsAsGrpcAioLoadsIt.Client).toBe(grpcJs.Client);
    expect(grpcJsAsGrpcAioLoadsIt.Channel).toBe(grpcJs.Channel);
    const wrapped = (fn: unknown) => (fn as { __wrapped?: boolean }).__wrapped === true;
    expect(wrapped(grpcJs.Client.prototype.makeUnaryRequest)).toBe(true);
    expect(wrapped(grpcJs.Server.prototype.register)).toBe(true);
    // grpc-aio's channel makes its calls with Channel.createCall, which the instrumentation leaves
    // alone (it wraps Client methods and Server.register; grpc-aio's server is its own, on node:http2).
    expect(wrapped(grpcJs.Channel.prototype.createCall)).toBe(false);
  });

  it('a grpc-aio client (plugin) to a grpc-js server (instrumented): the SERVER span is the CLIENT span child', async () => {
    const target = await startGrpcJsServer();
    const channel = insecureChannel(target, { telemetry: plugin });
    open.grpcAioChannels.push(channel);
    const response = await channel.unaryUnary<Buffer, Buffer>(METHOD)(Buffer.from([1, 2]));
    expect([...response]).toEqual([1, 2, 1, 2]);

    // Two spans: the plugin's for the grpc-aio call, the instrumentation's for the grpc-js server;
    // none from the instrumentation for the grpc-aio call.
    const spans = await finishedSpans(2);
    const client = only(spans, 'grpc-aio', SpanKind.CLIENT);
    const serverSpan = only(spans, INSTRUMENTATION_SCOPE, SpanKind.SERVER);
    expect(client.name).toBe('test.Echo/Unary');
    expect(serverSpan.name).toBe('grpc.test.Echo/Unary');
    expect(client.parentSpanContext).toBeUndefined();
    expect(serverSpan.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(serverSpan.parentSpanContext?.isRemote).toBe(true);
  });

  it('a grpc-js client (instrumented) to a grpc-aio server (plugin): the SERVER span is the CLIENT span child', async () => {
    const target = await startGrpcAioServer();
    const Echo = grpcJs.makeGenericClientConstructor(definition, 'Echo');
    const client = new Echo(target, grpcJs.credentials.createInsecure());
    open.grpcJsClients.push(client);
    const unary = (client as unknown as Record<string, Function>).Unary!;
    const response = await new Promise<Buffer>((resolve, reject) =>
      unary.call(client, Buffer.from([3]), (error: Error | null, value: Buffer) =>
        error ? reject(error) : resolve(value),
      ),
    );
    expect([...response]).toEqual([3, 3]);

    const spans = await finishedSpans(2);
    const clientSpan = only(spans, INSTRUMENTATION_SCOPE, SpanKind.CLIENT);
    const serverSpan = only(spans, 'grpc-aio', SpanKind.SERVER);
    expect(clientSpan.name).toBe('grpc.test.Echo/Unary');
    expect(serverSpan.name).toBe('test.Echo/Unary');
    expect(clientSpan.parentSpanContext).toBeUndefined();
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.parentSpanContext?.isRemote).toBe(true);
    expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(0);
  });
});
