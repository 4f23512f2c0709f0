import { insecureChannel } from '@grpc-aio/channel';
import type { Channel, Server } from '@grpc-aio/core';
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import {
  decodeRpcStatus,
  encodeRpcStatus,
  fromCall,
  fromRpcError,
  GRPC_DETAILS_METADATA_KEY,
  loadFromSource,
  packAny,
  StatusDetailsMetadataDecodeError,
  StatusDetailsMetadataValueError,
  toStatus,
  unpackAny,
} from '@grpc-aio/protos';
import { methodHandlersGenericHandler, server, unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { protos } = loadFromSource(
  'syntax = "proto3"; package demo; message BadRequest { repeated string fields = 1; } message Other { int32 n = 1; }',
);
const BadRequest = protos.message('demo.BadRequest');
const Other = protos.message('demo.Other');
const rich = {
  code: StatusCode.INVALID_ARGUMENT,
  message: 'bad input',
  details: [packAny(BadRequest, { fields: ['name'] })],
};

let srv: Server;
let channel: Channel;
beforeAll(async () => {
  srv = server({
    handlers: [
      methodHandlersGenericHandler('demo.Svc', {
        Rich: unaryUnaryRpcMethodHandler(async (_request: Uint8Array, context) =>
          context.abortWithStatus(toStatus(rich)),
        ),
        Plain: unaryUnaryRpcMethodHandler(async (_request: Uint8Array, context) =>
          context.abort(StatusCode.NOT_FOUND, 'gone'),
        ),
        Liar: unaryUnaryRpcMethodHandler(async (_request: Uint8Array, context) =>
          context.abort(StatusCode.INTERNAL, 'other words', [
            [GRPC_DETAILS_METADATA_KEY, encodeRpcStatus(rich)],
          ]),
        ),
        Garbage: unaryUnaryRpcMethodHandler(async (_request: Uint8Array, context) =>
          context.abort(StatusCode.INTERNAL, 'x', [
            [GRPC_DETAILS_METADATA_KEY, Uint8Array.of(0xff, 0xff, 0xff)],
          ]),
        ),
      }),
    ],
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  channel = insecureChannel(`127.0.0.1:${port}`);
});
afterAll(async () => {
  await channel.close();
  await srv.stop(null);
});

const call = (method: string) => channel.unaryUnary(`/demo.Svc/${method}`)(new Uint8Array(), { timeout: 5 });

describe('rich status (grpc_status.rpc_status)', () => {
  it('A76 toStatus carries the status in grpc-status-details-bin; fromCall reads it back', async () => {
    const status = toStatus(rich);
    expect([status.code, status.details]).toEqual([StatusCode.INVALID_ARGUMENT, 'bad input']);
    const c = call('Rich');
    await expect(c).rejects.toBeInstanceOf(AioRpcError);
    const got = await fromCall(c);
    expect(got?.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(got?.message).toBe('bad input');
    expect(unpackAny(got!.details[0]!, BadRequest)).toEqual({ fields: ['name'] });
    expect(() => unpackAny(got!.details[0]!, Other)).toThrow(
      'The Any holds type.googleapis.com/demo.BadRequest, not demo.Other.',
    );
  });

  it('A76 fromRpcError works on the thrown error; no details -> undefined', async () => {
    const error = await call('Rich').then(
      () => undefined,
      (e: AioRpcError) => e,
    );
    expect(fromRpcError(error!)?.message).toBe('bad input');
    const plain = call('Plain');
    await plain.then(
      () => undefined,
      () => undefined,
    );
    expect(await fromCall(plain)).toBeUndefined();
  });

  it('A76 a code/message mismatch is StatusDetailsMetadataValueError; garbage is StatusDetailsMetadataDecodeError', async () => {
    const liar = call('Liar');
    await liar.then(
      () => undefined,
      () => undefined,
    );
    await expect(fromCall(liar)).rejects.toThrow(
      "Code in Status proto (StatusCode.INVALID_ARGUMENT) doesn't match status code (StatusCode.INTERNAL)",
    );
    await expect(fromCall(liar)).rejects.toBeInstanceOf(StatusDetailsMetadataValueError);
    const garbage = call('Garbage');
    await garbage.then(
      () => undefined,
      () => undefined,
    );
    await expect(fromCall(garbage)).rejects.toBeInstanceOf(StatusDetailsMetadataDecodeError);
    expect(new StatusDetailsMetadataDecodeError('x')).toBeInstanceOf(StatusDetailsMetadataValueError);
  });

  it('A76 encode/decode round trip; toStatus rejects a code outside the enum', () => {
    expect(decodeRpcStatus(encodeRpcStatus(rich))).toEqual({
      code: 3,
      message: 'bad input',
      details: [{ typeUrl: 'type.googleapis.com/demo.BadRequest', value: expect.any(Uint8Array) }],
    });
    expect(() => toStatus({ code: 99, message: '', details: [] })).toThrow('Invalid status code 99');
  });
});
