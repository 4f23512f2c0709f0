// biome-ignore-all lint/suspicious/noExplicitAny: the interop messages are decoded at run time by proto-loader, untyped
// grpc.testing.TestService served by grpc-aio's server (the interop server behaviour).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server, ServicerContext } from '@grpc-aio/core';
import { Compression, EOF } from '@grpc-aio/core';
import { addServicer } from '@grpc-aio/protos';
import { TestService, zeros } from './proto.js';

/** Metadata keys the interop server echoes back (custom_metadata case). */
export const ECHO_INITIAL = 'x-grpc-test-echo-initial';
export const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

type Msg = any;

function echoMetadata(context: ServicerContext): Promise<void> | undefined {
  const md = context.invocationMetadata();
  const trailing = md.get(ECHO_TRAILING);
  if (trailing !== undefined) context.setTrailingMetadata([[ECHO_TRAILING, trailing]]);
  const initial = md.get(ECHO_INITIAL);
  if (initial !== undefined) return context.sendInitialMetadata([[ECHO_INITIAL, initial]]);
  return undefined;
}

async function maybeAbort(request: Msg, context: ServicerContext): Promise<void> {
  const status = request.responseStatus;
  if (status?.code) await context.abort(status.code, status.message ?? '');
}

async function* respond(request: Msg, context: ServicerContext): AsyncGenerator<Msg> {
  for (const parameters of request.responseParameters ?? []) {
    if (parameters.intervalUs)
      await sleep(parameters.intervalUs / 1000, undefined, { signal: context.signal });
    // As the interop server does: compress this response, or send it uncompressed.
    if (parameters.compressed?.value) context.setCompression(Compression.Gzip);
    else if (parameters.compressed) context.disableNextMessageCompression();
    yield { payload: { type: 0, body: zeros(parameters.size ?? 0) } };
  }
  await maybeAbort(request, context);
}

/** The TestService implementation (UnimplementedCall is left out: it answers UNIMPLEMENTED). */
const testServiceImplementation = {
  async EmptyCall(_request: Msg, context: ServicerContext) {
    await echoMetadata(context);
    return {};
  },
  async UnaryCall(request: Msg, context: ServicerContext) {
    await echoMetadata(context);
    await maybeAbort(request, context);
    if (request.responseCompressed?.value) context.setCompression(Compression.Gzip);
    return { payload: { type: 0, body: zeros(request.responseSize ?? 0) } };
  },
  async *StreamingOutputCall(request: Msg, context: ServicerContext) {
    await echoMetadata(context);
    yield* respond(request, context);
  },
  async StreamingInputCall(requests: AsyncIterable<Msg>, context: ServicerContext) {
    await echoMetadata(context);
    let size = 0;
    for await (const request of requests) size += request.payload?.body?.length ?? 0;
    return { aggregatedPayloadSize: size };
  },
  async *FullDuplexCall(requests: AsyncIterable<Msg>, context: ServicerContext) {
    await echoMetadata(context);
    for await (const request of requests) yield* respond(request, context);
  },
  async *HalfDuplexCall(_requests: AsyncIterable<Msg>, context: ServicerContext) {
    await echoMetadata(context);
    const all: Msg[] = [];
    for (let r = await context.read(); r !== EOF; r = await context.read()) all.push(r);
    for (const request of all) yield* respond(request, context);
  },
};

/** Registers grpc.testing.TestService on a grpc-aio server. */
export function addTestService(server: Server): void {
  addServicer(server, TestService, testServiceImplementation);
}
