import { type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import { Compression, type Server, type ServicerContext, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import {
  methodHandlersGenericHandler,
  server,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { context, trace } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { BasicTracerProvider, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, METRIC_NAMES, OpenTelemetryPlugin, SIZE_BUCKETS } from '../src/index.js';
import { collect, points, setup, withGlobalContext } from './otel.js';

const bytes = (size: number, fill = 1): Buffer => Buffer.alloc(size, fill);

/** The status code a call fails with. */
async function codeOf(call: PromiseLike<unknown>): Promise<StatusCode> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AioRpcError) return (error as AioRpcError).code();
    throw error;
  }
  throw new Error('The call did not fail.');
}

// The test service: registered methods (the A66 default records their names), and a generic one.
const SERVICE = 'test.Echo';
let tracerForHandlers: BasicTracerProvider | undefined;

function handlers() {
  return {
    // Answers a response of the size the request's first byte says; the request `[0]` fails
    // NOT_FOUND, `[255]` throws (UNKNOWN). Opens a span of its own.
    Unary: unaryUnaryRpcMethodHandler(async (request: Buffer, ctx: ServicerContext) => {
      tracerForHandlers?.getTracer('handler').startSpan('handler work').end();
      if (request[0] === 0) await ctx.abort(StatusCode.NOT_FOUND, 'no such thing');
      if (request[0] === 255) throw new Error('boom');
      return bytes(request[0] ?? 0, 0);
    }),
    // Answers the traceparent the client sent ('' for none).
    Traceparent: unaryUnaryRpcMethodHandler(async (_request: Buffer, ctx: ServicerContext) =>
      Buffer.from(String(ctx.invocationMetadata().get('traceparent') ?? '')),
    ),
    ServerStream: unaryStreamRpcMethodHandler(async function* (request: Buffer) {
      for (const size of request) yield bytes(size);
    }),
    ClientStream: streamUnaryRpcMethodHandler(async (requests: AsyncIterable<Buffer>) => {
      let total = 0;
      for await (const request of requests) total += request.length;
      return bytes(total);
    }),
    BidiStream: streamStreamRpcMethodHandler(async function* (requests: AsyncIterable<Buffer>) {
      for await (const request of requests) {
        tracerForHandlers?.getTracer('handler').startSpan('bidi work').end();
        yield Buffer.concat([request, request]);
      }
    }),
  };
}

const open: { servers: Server[]; channels: ClientChannel[] } = { servers: [], channels: [] };

async function start(options: Parameters<typeof server>[0] = {}): Promise<{ port: number; target: string }> {
  const srv = server(options);
  srv.addRegisteredMethodHandlers(SERVICE, handlers());
  srv.addGenericRpcHandlers([
    methodHandlersGenericHandler('test.Generic', {
      Unary: unaryUnaryRpcMethodHandler(async (request: Buffer) => request),
    }),
  ]);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  open.servers.push(srv);
  return { port, target: `127.0.0.1:${port}` };
}

function connect(target: string, options: Parameters<typeof insecureChannel>[1] = {}): ClientChannel {
  const channel = insecureChannel(target, options);
  open.channels.push(channel);
  return channel;
}

afterEach(async () => {
  await Promise.all(open.channels.splice(0).map((channel) => channel.close()));
  await Promise.all(open.servers.splice(0).map((srv) => srv.stop(null)));
});

withGlobalContext();

describe('metrics (gRFC A66)', () => {
  it('records nothing, and sends no trace context, when no plugin is registered or given', async () => {
    const { reader, spans } = setup(); // made, but neither registered nor given to anything
    const { target } = await start();
    const channel = connect(target);
    const response = await channel.unaryUnary(`/${SERVICE}/Unary`)(bytes(1, 3));
    expect(response.length).toBe(3);
    expect((await channel.unaryUnary(`/${SERVICE}/Traceparent`)(bytes(1))).toString()).toBe('');
    expect([...(await collect(reader)).keys()]).toEqual([]);
    expect(spans.getFinishedSpans()).toEqual([]);
  });

  it('records a unary call on both sides: names, units, attributes, values and A66 buckets', async () => {
    const { plugin, reader } = setup();
    using _registered = plugin.registerGlobal();
    const { target } = await start();
    const channel = connect(target);
    const response = await channel.unaryUnary(`/${SERVICE}/Unary`)(bytes(1, 100));
    expect(response.length).toBe(100);

    const metrics = await collect(reader);
    expect([...metrics.keys()].sort()).toEqual(Object.values(METRIC_NAMES).sort());
    const units = Object.fromEntries([...metrics].map(([name, metric]) => [name, metric.descriptor.unit]));
    expect(units).toEqual({
      'grpc.client.attempt.started': '{attempt}',
      'grpc.client.attempt.duration': 's',
      'grpc.client.attempt.sent_total_compressed_message_size': 'By',
      'grpc.client.attempt.rcvd_total_compressed_message_size': 'By',
      'grpc.client.call.duration': 's',
      'grpc.server.call.started': '{call}',
      'grpc.server.call.duration': 's',
      'grpc.server.call.sent_total_compressed_message_size': 'By',
      'grpc.server.call.rcvd_total_compressed_message_size': 'By',
    });

    const client = { 'grpc.method': 'test.Echo/Unary', 'grpc.target': `dns:///${target}` };
    const clientEnd = { ...client, 'grpc.status': 'OK' };
    const serverEnd = { 'grpc.method': 'test.Echo/Unary', 'grpc.status': 'OK' };
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([[client, 1]]);
    expect(points(metrics, METRIC_NAMES.clientAttemptSentSize)).toEqual([[clientEnd, { count: 1, sum: 1 }]]);
    expect(points(metrics, METRIC_NAMES.clientAttemptRcvdSize)).toEqual([
      [clientEnd, { count: 1, sum: 100 }],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([
      [{ 'grpc.method': 'test.Echo/Unary' }, 1],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallRcvdSize)).toEqual([[serverEnd, { count: 1, sum: 1 }]]);
    expect(points(metrics, METRIC_NAMES.serverCallSentSize)).toEqual([[serverEnd, { count: 1, sum: 100 }]]);
    for (const name of [
      METRIC_NAMES.clientAttemptDuration,
      METRIC_NAMES.clientCallDuration,
      METRIC_NAMES.serverCallDuration,
    ]) {
      const [point] = metrics.get(name)!.dataPoints as DataPoint<Histogram>[];
      expect(point!.attributes).toEqual(name.startsWith('grpc.client') ? clientEnd : serverEnd);
      expect(point!.value.count).toBe(1);
      expect(point!.value.sum).toBeGreaterThan(0);
      expect(point!.value.sum).toBeLessThan(5);
      expect(point!.value.buckets.boundaries).toEqual(LATENCY_BUCKETS);
    }
    const [size] = metrics.get(METRIC_NAMES.serverCallSentSize)!.dataPoints as DataPoint<Histogram>[];
    expect(size!.value.buckets.boundaries).toEqual(SIZE_BUCKETS);
    // The call lasts at least as long as its attempt.
    const duration = (name: string) =>
      (metrics.get(name)!.dataPoints[0] as DataPoint<Histogram>).value.sum as number;
    expect(duration(METRIC_NAMES.clientCallDuration)).toBeGreaterThanOrEqual(
      duration(METRIC_NAMES.clientAttemptDuration),
    );
  });

  it('sums the message sizes of streaming calls on both sides', async () => {
    const { plugin, reader } = setup();
    using _registered = plugin.registerGlobal();
    const { target } = await start();
    const channel = connect(target);
    const responses: number[] = [];
    for await (const response of channel.unaryStream(`/${SERVICE}/ServerStream`)(Buffer.from([4, 5, 6]))) {
      responses.push(response.length);
    }
    expect(responses).toEqual([4, 5, 6]);
    expect(
      (await channel.streamUnary(`/${SERVICE}/ClientStream`)([bytes(1), bytes(2), bytes(3)])).length,
    ).toBe(6);
    const bidi: number[] = [];
    for await (const response of channel.streamStream(`/${SERVICE}/BidiStream`)([bytes(7), bytes(8)])) {
      bidi.push(response.length);
    }
    expect(bidi).toEqual([14, 16]);

    const metrics = await collect(reader);
    const sizes = (name: string) =>
      Object.fromEntries(
        (metrics.get(name)!.dataPoints as DataPoint<Histogram>[]).map((point) => [
          point.attributes['grpc.method'],
          point.value.sum,
        ]),
      );
    const expected = { sent: { ServerStream: 3, ClientStream: 6, BidiStream: 15 } };
    const rcvd = { ServerStream: 15, ClientStream: 6, BidiStream: 30 };
    const byMethod = (values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).map(([method, value]) => [`test.Echo/${method}`, value]));
    expect(sizes(METRIC_NAMES.clientAttemptSentSize)).toEqual(byMethod(expected.sent));
    expect(sizes(METRIC_NAMES.clientAttemptRcvdSize)).toEqual(byMethod(rcvd));
    expect(sizes(METRIC_NAMES.serverCallRcvdSize)).toEqual(byMethod(expected.sent));
    expect(sizes(METRIC_NAMES.serverCallSentSize)).toEqual(byMethod(rcvd));
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toHaveLength(3);
  });

  it('counts compressed sizes on the server; the client reports uncompressed sizes (grpc-js)', async () => {
    const { plugin, reader } = setup();
    using _registered = plugin.registerGlobal();
    const { target } = await start({ compression: Compression.Gzip });
    const channel = connect(target, { compression: Compression.Gzip });
    const request = Buffer.alloc(4000, 200); // compresses well; the response: 200 zero bytes
    await channel.unaryUnary(`/${SERVICE}/Unary`)(request);
    const metrics = await collect(reader);
    const sum = (name: string) =>
      (metrics.get(name)!.dataPoints[0] as DataPoint<Histogram>).value.sum as number;
    expect(sum(METRIC_NAMES.serverCallRcvdSize)).toBeGreaterThan(0);
    expect(sum(METRIC_NAMES.serverCallRcvdSize)).toBeLessThan(200);
    expect(sum(METRIC_NAMES.serverCallSentSize)).toBeLessThan(200);
    // The documented gap: grpc-js compresses (and decompresses) below the point the sizes are seen.
    expect(sum(METRIC_NAMES.clientAttemptSentSize)).toBe(4000);
    expect(sum(METRIC_NAMES.clientAttemptRcvdSize)).toBe(200);
  });

  it('records "other" for generic and unknown methods, and for targets the filter rejects', async () => {
    const { plugin, reader } = setup({ targetAttributeFilter: (target) => !target.includes('127.0.0.1') });
    using _registered = plugin.registerGlobal();
    const { target } = await start();
    const channel = connect(target);
    await channel.unaryUnary('/test.Generic/Unary')(bytes(2));
    expect(await codeOf(channel.unaryUnary('/test.Nowhere/Method')(bytes(2)))).toBe(StatusCode.UNIMPLEMENTED);
    const metrics = await collect(reader);
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([[{ 'grpc.method': 'other' }, 2]]);
    expect(points(metrics, METRIC_NAMES.serverCallDuration)).toEqual([
      [{ 'grpc.method': 'other', 'grpc.status': 'OK' }, expect.objectContaining({ count: 1 })],
      [{ 'grpc.method': 'other', 'grpc.status': 'UNIMPLEMENTED' }, expect.objectContaining({ count: 1 })],
    ]);
    // The client records the methods it calls, with the target filtered out.
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([
      [{ 'grpc.method': 'test.Generic/Unary', 'grpc.target': 'other' }, 1],
      [{ 'grpc.method': 'test.Nowhere/Method', 'grpc.target': 'other' }, 1],
    ]);
  });

  it('records generic method names the genericMethodAttributeFilter accepts', async () => {
    const { plugin, reader } = setup({
      genericMethodAttributeFilter: (method) => method.startsWith('test.'),
    });
    const { target } = await start({ telemetry: plugin });
    const channel = connect(target);
    await channel.unaryUnary('/test.Generic/Unary')(bytes(2));
    const metrics = await collect(reader);
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([
      [{ 'grpc.method': 'test.Generic/Unary' }, 1],
    ]);
    // Given to the server only: the channel records nothing.
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([]);
  });

  it('records non-OK statuses by name on both sides', async () => {
    const { plugin, reader } = setup();
    const { target } = await start({ telemetry: plugin });
    const channel = connect(target, { telemetry: plugin });
    await expect(channel.unaryUnary(`/${SERVICE}/Unary`)(Buffer.from([0]))).rejects.toBeInstanceOf(
      AioRpcError,
    );
    const metrics = await collect(reader);
    expect(points(metrics, METRIC_NAMES.clientCallDuration)).toEqual([
      [
        { 'grpc.method': 'test.Echo/Unary', 'grpc.target': `dns:///${target}`, 'grpc.status': 'NOT_FOUND' },
        expect.objectContaining({ count: 1 }),
      ],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallDuration)).toEqual([
      [
        { 'grpc.method': 'test.Echo/Unary', 'grpc.status': 'NOT_FOUND' },
        expect.objectContaining({ count: 1 }),
      ],
    ]);
  });

  // Issue 22: the server records gRPC-Web calls (here HTTP/1.1, as a browser's fetch) as calls.
  it('records gRPC-Web calls as calls, with their wire sizes and status', async () => {
    const { plugin, reader } = setup();
    const { port } = await start({ telemetry: plugin, grpcWeb: { allowedOrigins: '*' } });
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from([7])]);
    const response = await fetch(`http://127.0.0.1:${port}/${SERVICE}/Unary`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
      body: frame,
    });
    const body = Buffer.from(await response.arrayBuffer());
    // A 7-byte message frame, then the trailer frame (flag 0x80) with grpc-status 0.
    expect(body.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 0, 7]));
    expect(body[12]).toBe(0x80);
    expect(body.subarray(17).toString()).toContain('grpc-status: 0');
    const metrics = await collect(reader);
    const attributes = { 'grpc.method': 'test.Echo/Unary', 'grpc.status': 'OK' };
    expect(points(metrics, METRIC_NAMES.serverCallDuration)).toEqual([
      [attributes, expect.objectContaining({ count: 1 })],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallRcvdSize)).toEqual([[attributes, { count: 1, sum: 1 }]]);
    expect(points(metrics, METRIC_NAMES.serverCallSentSize)).toEqual([[attributes, { count: 1, sum: 7 }]]);
  });

  it('stops recording once deregistered (the end of a `using` scope)', async () => {
    const { plugin, reader } = setup();
    const { target } = await start();
    const channel = connect(target);
    {
      using _registered = plugin.registerGlobal();
      await channel.unaryUnary(`/${SERVICE}/Unary`)(bytes(1));
    }
    await channel.unaryUnary(`/${SERVICE}/Unary`)(bytes(1));
    const metrics = await collect(reader);
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([
      [expect.objectContaining({ 'grpc.method': 'test.Echo/Unary' }), 1],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([
      [{ 'grpc.method': 'test.Echo/Unary' }, 1],
    ]);
  });

  it('refuses options it does not take', () => {
    expect(() => new OpenTelemetryPlugin({ meterProvder: {} } as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: new OpenTelemetryPlugin() does not take the option 'meterProvder'; it takes 'meterProvider', 'tracerProvider', 'targetAttributeFilter', 'genericMethodAttributeFilter'.]`,
    );
    expect(() => new OpenTelemetryPlugin({ targetAttributeFilter: 'x' as never })).toThrow(TypeError);
  });
});

describe('traces', () => {
  afterEach(() => {
    tracerForHandlers = undefined;
  });

  function byName(spans: ReadableSpan[], name: string): ReadableSpan {
    const span = spans.find((candidate) => candidate.name === name);
    expect(span, name).toBeDefined();
    return span!;
  }

  it('makes a CLIENT span whose child is the SERVER span, whose child is the handler span', async () => {
    const { plugin, spans, tracerProvider } = setup();
    tracerForHandlers = tracerProvider;
    using _registered = plugin.registerGlobal();
    const { target, port } = await start();
    const channel = connect(target);
    // The application's own span is the parent of the call's.
    const app = tracerProvider.getTracer('app').startSpan('app');
    await context.with(trace.setSpan(context.active(), app), () =>
      channel.unaryUnary(`/${SERVICE}/Unary`)(bytes(1, 2)),
    );
    app.end();

    const traceparent = (await channel.unaryUnary(`/${SERVICE}/Traceparent`)(bytes(1))).toString();
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const finished = spans.getFinishedSpans().filter((span) => !span.name.endsWith('Traceparent'));
    const server = finished.filter((span) => span.kind === 1 /* SERVER */);
    expect(server).toHaveLength(1);
    const client = finished.filter((span) => span.kind === 2 /* CLIENT */);
    expect(client).toHaveLength(1);
    const clientSpan = client[0]!;
    const serverSpan = server[0]!;
    const handlerSpan = byName(finished, 'handler work');

    expect(clientSpan.name).toBe('test.Echo/Unary');
    expect(clientSpan.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'test.Echo',
      'rpc.method': 'Unary',
      'server.address': '127.0.0.1',
      'server.port': port,
      'rpc.grpc.status_code': 0,
    });
    expect(clientSpan.status.code).toBe(0); // UNSET
    expect(clientSpan.parentSpanContext?.spanId).toBe(app.spanContext().spanId);

    expect(serverSpan.name).toBe('test.Echo/Unary');
    expect(serverSpan.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'test.Echo',
      'rpc.method': 'Unary',
      'rpc.grpc.status_code': 0,
    });
    const traceId = app.spanContext().traceId;
    expect(serverSpan.spanContext().traceId).toBe(traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(handlerSpan.spanContext().traceId).toBe(traceId);
    expect(handlerSpan.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
  });

  it('runs streaming-request handlers under the SERVER span too', async () => {
    const { plugin, spans, tracerProvider } = setup();
    tracerForHandlers = tracerProvider;
    const { target } = await start({ telemetry: plugin });
    const channel = connect(target, { telemetry: plugin });
    let responses = 0;
    for await (const _ of channel.streamStream(`/${SERVICE}/BidiStream`)([bytes(1), bytes(2)])) responses++;
    expect(responses).toBe(2);
    const finished = spans.getFinishedSpans();
    const serverSpan = finished.find((span) => span.kind === 1)!;
    const clientSpan = finished.find((span) => span.kind === 2)!;
    expect(serverSpan.name).toBe('test.Echo/BidiStream');
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    const work = finished.filter((span) => span.name === 'bidi work');
    expect(work).toHaveLength(2);
    for (const span of work) expect(span.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
  });

  it('marks non-OK calls: every failure on the client, server failures on the server', async () => {
    const { plugin, spans } = setup();
    using _registered = plugin.registerGlobal();
    const { target } = await start();
    const channel = connect(target);
    expect(await codeOf(channel.unaryUnary(`/${SERVICE}/Unary`)(Buffer.from([0])))).toBe(
      StatusCode.NOT_FOUND,
    );
    expect(await codeOf(channel.unaryUnary(`/${SERVICE}/Unary`)(Buffer.from([255])))).toBe(
      StatusCode.UNKNOWN,
    );
    const finished = spans.getFinishedSpans();
    const summary = finished.map((span) => [
      span.kind === 2 ? 'client' : 'server',
      span.attributes['rpc.grpc.status_code'],
      span.status,
    ]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['client', StatusCode.NOT_FOUND, { code: 2, message: 'no such thing' }],
        ['server', StatusCode.NOT_FOUND, { code: 0 }],
        ['client', StatusCode.UNKNOWN, { code: 2, message: expect.stringContaining('boom') }],
        ['server', StatusCode.UNKNOWN, { code: 2, message: expect.stringContaining('boom') }],
      ]),
    );
    expect(summary).toHaveLength(4);
  });
});
