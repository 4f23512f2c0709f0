import { type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import { type Server, type ServicerContext, StatusCode } from '@grpc-aio/core';
import { Status } from '@grpc-aio/errors';
import { interceptChannel, metadataInterceptor, retryInterceptor } from '@grpc-aio/interceptors/client';
import { server, unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import { fakeChannel, serverFromHandlers } from '@grpc-aio/testing';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../src/index.js';
import { collect, points, setup, withGlobalContext } from './otel.js';

// Issue 19 item 4: telemetry sees the call as the application made it (above its client
// interceptors), each RPC an interceptor makes (a retry) as an attempt; the testing fakes record
// what real channels and servers record.

const METHOD = '/test.Flaky/Unary';
const open: { servers: Server[]; channels: ClientChannel[] } = { servers: [], channels: [] };

/** A server whose method fails UNAVAILABLE `failures` times, then echoes. */
async function flakyServer(
  failures: number,
  telemetry?: NonNullable<Parameters<typeof server>[0]>['telemetry'],
) {
  let left = failures;
  const srv = server({ telemetry });
  srv.addRegisteredMethodHandlers('test.Flaky', {
    Unary: unaryUnaryRpcMethodHandler(async (request: Buffer, ctx: ServicerContext) => {
      if (left-- > 0) await ctx.abort(StatusCode.UNAVAILABLE, 'try again');
      return Buffer.concat([request, Buffer.from(String(ctx.invocationMetadata().get('x-app') ?? ''))]);
    }),
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  open.servers.push(srv);
  return `127.0.0.1:${port}`;
}

const retry = () => retryInterceptor({ initialBackoff: 0.001, jitter: 0, maxAttempts: 3 });

afterEach(async () => {
  await Promise.all(open.channels.splice(0).map((channel) => channel.close()));
  await Promise.all(open.servers.splice(0).map((srv) => srv.stop(null)));
});

withGlobalContext();

const clientSpans = (spans: ReadableSpan[]) => spans.filter((span) => span.kind === SpanKind.CLIENT);
const serverSpans = (spans: ReadableSpan[]) => spans.filter((span) => span.kind === SpanKind.SERVER);

describe('client interceptors: the call as the application made it, retries as attempts', () => {
  it('records one call and one attempt per retry; every server span is the call span child', async () => {
    const { plugin, reader, spans } = setup();
    const target = await flakyServer(2, plugin);
    const channel = insecureChannel(target, { telemetry: plugin });
    open.channels.push(channel);
    const intercepted = interceptChannel(channel, metadataInterceptor([['x-app', '!']]), retry());
    const response = await intercepted.unaryUnary(METHOD)(Buffer.from('hi'));
    expect(response.toString()).toBe('hi!');

    const metrics = await collect(reader);
    const client = { 'grpc.method': 'test.Flaky/Unary', 'grpc.target': `dns:///${target}` };
    const count = expect.objectContaining({ count: 1 });
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([[client, 3]]);
    expect(points(metrics, METRIC_NAMES.clientAttemptDuration)).toEqual([
      [{ ...client, 'grpc.status': 'UNAVAILABLE' }, expect.objectContaining({ count: 2 })],
      [{ ...client, 'grpc.status': 'OK' }, count],
    ]);
    // Each attempt counts its own messages: 2 bytes sent by each, 3 received by the last.
    expect(points(metrics, METRIC_NAMES.clientAttemptSentSize)).toEqual([
      [
        { ...client, 'grpc.status': 'UNAVAILABLE' },
        { count: 2, sum: 4 },
      ],
      [
        { ...client, 'grpc.status': 'OK' },
        { count: 1, sum: 2 },
      ],
    ]);
    expect(points(metrics, METRIC_NAMES.clientAttemptRcvdSize)).toEqual([
      [
        { ...client, 'grpc.status': 'UNAVAILABLE' },
        { count: 2, sum: 0 },
      ],
      [
        { ...client, 'grpc.status': 'OK' },
        { count: 1, sum: 3 },
      ],
    ]);
    expect(points(metrics, METRIC_NAMES.clientCallDuration)).toEqual([
      [{ ...client, 'grpc.status': 'OK' }, count],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([
      [{ 'grpc.method': 'test.Flaky/Unary' }, 3],
    ]);

    const finished = spans.getFinishedSpans();
    const [call] = clientSpans(finished);
    expect(clientSpans(finished)).toHaveLength(1);
    expect(call!.status.code).toBe(0); // UNSET: the call succeeded, whatever its attempts did
    expect(call!.attributes['rpc.grpc.status_code']).toBe(StatusCode.OK);
    const handled = serverSpans(finished);
    expect(handled).toHaveLength(3);
    for (const span of handled) {
      expect(span.spanContext().traceId).toBe(call!.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);
    }
    expect(handled.map((span) => span.attributes['rpc.grpc.status_code'])).toEqual([
      StatusCode.UNAVAILABLE,
      StatusCode.UNAVAILABLE,
      StatusCode.OK,
    ]);
  });

  it('records the status the application sees when the retries run out', async () => {
    const { plugin, reader, spans } = setup();
    const target = await flakyServer(5);
    const channel = insecureChannel(target, { telemetry: plugin });
    open.channels.push(channel);
    const intercepted = interceptChannel(channel, retry());
    await expect(intercepted.unaryUnary(METHOD)(Buffer.from('hi'))).rejects.toThrow('try again');
    const metrics = await collect(reader);
    const client = { 'grpc.method': 'test.Flaky/Unary', 'grpc.target': `dns:///${target}` };
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([[client, 3]]);
    expect(points(metrics, METRIC_NAMES.clientCallDuration)).toEqual([
      [{ ...client, 'grpc.status': 'UNAVAILABLE' }, expect.objectContaining({ count: 1 })],
    ]);
    const [call] = clientSpans(spans.getFinishedSpans());
    expect(call!.status).toEqual({ code: 2, message: 'try again' });
  });

  it('records one call through stacked interceptChannel()s, and a call no interceptor let through', async () => {
    const { plugin, reader } = setup();
    using _registered = plugin.registerGlobal();
    const target = await flakyServer(1);
    const channel = insecureChannel(target);
    open.channels.push(channel);
    const stacked = interceptChannel(
      interceptChannel(channel, retry()),
      metadataInterceptor([['x-app', '?']]),
    );
    expect((await stacked.unaryUnary(METHOD)(Buffer.from('a'))).toString()).toBe('a?');
    const refusing = interceptChannel(channel, {
      interceptUnaryUnary: () => {
        throw new Error('not you');
      },
    });
    await expect(refusing.unaryUnary(METHOD)(Buffer.from('b'))).rejects.toThrow('not you');
    const metrics = await collect(reader);
    const client = { 'grpc.method': 'test.Flaky/Unary', 'grpc.target': `dns:///${target}` };
    // Two attempts of the stacked call; none of the refused one.
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([[client, 2]]);
    expect(points(metrics, METRIC_NAMES.clientCallDuration)).toEqual([
      [{ ...client, 'grpc.status': 'OK' }, expect.objectContaining({ count: 1 })],
      [{ ...client, 'grpc.status': 'UNKNOWN' }, expect.objectContaining({ count: 1 })],
    ]);
  });
});

describe('the testing fakes record what real channels and servers record', () => {
  it('a fake channel under a retry interceptor: one call, one attempt per retry', async () => {
    const { plugin, reader, spans } = setup();
    let failures = 1;
    const fake = fakeChannel({ telemetry: plugin }).handle(METHOD, (request: Buffer) => {
      if (failures-- > 0) throw new Status(StatusCode.UNAVAILABLE, 'try again');
      return request;
    });
    open.channels.push(fake);
    const channel = interceptChannel(fake, retry());
    expect((await channel.unaryUnary(METHOD)(Buffer.from('xy'))).toString()).toBe('xy');
    const metrics = await collect(reader);
    // A fake channel has no target: 'unknown', in A66's canonical form.
    const client = { 'grpc.method': 'test.Flaky/Unary', 'grpc.target': 'dns:///unknown' };
    expect(points(metrics, METRIC_NAMES.clientAttemptStarted)).toEqual([[client, 2]]);
    expect(points(metrics, METRIC_NAMES.clientAttemptSentSize)).toEqual([
      [
        { ...client, 'grpc.status': 'UNAVAILABLE' },
        { count: 1, sum: 2 },
      ],
      [
        { ...client, 'grpc.status': 'OK' },
        { count: 1, sum: 2 },
      ],
    ]);
    expect(points(metrics, METRIC_NAMES.clientCallDuration)).toEqual([
      [{ ...client, 'grpc.status': 'OK' }, expect.objectContaining({ count: 1 })],
    ]);
    expect(clientSpans(spans.getFinishedSpans()).map((span) => span.name)).toEqual(['test.Flaky/Unary']);
  });

  it('the servicer harness records the server metrics and span; the handler runs in the span', async () => {
    const { plugin, reader, spans, tracerProvider } = setup();
    const harness = serverFromHandlers(
      {
        'test.Harness': {
          Echo: unaryUnaryRpcMethodHandler(async (request: Uint8Array) => {
            tracerProvider.getTracer('handler').startSpan('handler work').end();
            return Buffer.concat([request, request]);
          }),
          Fail: unaryUnaryRpcMethodHandler(async (_request: unknown, ctx: ServicerContext) =>
            ctx.abort(StatusCode.INTERNAL, 'broken'),
          ),
        },
      },
      { telemetry: plugin },
    );
    // The client's trace context arrives in the metadata, as it would over the wire.
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const echo = harness.invokeUnaryUnary('/test.Harness/Echo', Buffer.from('abc'), {
      metadata: [['traceparent', parent]],
    });
    expect((await echo.termination()).response).toEqual(Buffer.from('abcabc'));
    // Objects pass by reference: they have no size.
    const fail = harness.invokeUnaryUnary('/test.Harness/Fail', { any: 'object' });
    expect((await fail.termination()).code).toBe(StatusCode.INTERNAL);

    const metrics = await collect(reader);
    const echoEnd = { 'grpc.method': 'test.Harness/Echo', 'grpc.status': 'OK' };
    const failEnd = { 'grpc.method': 'test.Harness/Fail', 'grpc.status': 'INTERNAL' };
    expect(points(metrics, METRIC_NAMES.serverCallStarted)).toEqual([
      [{ 'grpc.method': 'test.Harness/Echo' }, 1],
      [{ 'grpc.method': 'test.Harness/Fail' }, 1],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallRcvdSize)).toEqual([
      [echoEnd, { count: 1, sum: 3 }],
      [failEnd, { count: 1, sum: 0 }],
    ]);
    expect(points(metrics, METRIC_NAMES.serverCallSentSize)).toEqual([
      [echoEnd, { count: 1, sum: 6 }],
      [failEnd, { count: 1, sum: 0 }],
    ]);
    const finished = spans.getFinishedSpans();
    const [echoSpan, failSpan] = serverSpans(finished);
    expect(echoSpan!.name).toBe('test.Harness/Echo');
    expect(echoSpan!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(echoSpan!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const work = finished.find((span) => span.name === 'handler work');
    expect(work!.parentSpanContext?.spanId).toBe(echoSpan!.spanContext().spanId);
    expect(failSpan!.status).toEqual({ code: 2, message: 'broken' });
  });

  it('the servicer harness reports to a registered plugin, and records a cancel and a deadline', async () => {
    const { plugin, reader } = setup();
    using _registered = plugin.registerGlobal();
    const harness = serverFromHandlers({
      'test.Harness': {
        Wait: unaryUnaryRpcMethodHandler(
          (_request: unknown, ctx: ServicerContext) =>
            new Promise((resolve) => ctx.addDoneCallback(() => resolve(undefined))),
        ),
      },
    });
    const cancelled = harness.invokeUnaryUnary('/test.Harness/Wait', 1);
    cancelled.cancel();
    expect((await cancelled.termination()).code).toBe(StatusCode.CANCELLED);
    const late = harness.invokeUnaryUnary('/test.Harness/Wait', 1, { timeout: 0.01 });
    expect((await late.termination()).code).toBe(StatusCode.DEADLINE_EXCEEDED);
    const metrics = await collect(reader);
    expect(points(metrics, METRIC_NAMES.serverCallDuration)).toEqual([
      [
        { 'grpc.method': 'test.Harness/Wait', 'grpc.status': 'CANCELLED' },
        expect.objectContaining({ count: 1 }),
      ],
      [
        { 'grpc.method': 'test.Harness/Wait', 'grpc.status': 'DEADLINE_EXCEEDED' },
        expect.objectContaining({ count: 1 }),
      ],
    ]);
  });
});
