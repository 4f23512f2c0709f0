import { type HandlerCallDetails, type RpcMethodHandler, StatusCode } from '@grpc-aio/core';
import { AbortError, AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { FakeContext } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { defaultErrorToStatus, recoveryInterceptor } from './recovery-interceptor.js';
import { runServerInterceptors } from './server-interceptor.js';

const details: HandlerCallDetails = { method: '/pkg.Svc/M', invocationMetadata: new Metadata() };

class NotFound extends Error {}

const lookup = (behaviour: () => unknown) => async () =>
  ({ requestStreaming: false, responseStreaming: false, unaryUnary: behaviour }) as RpcMethodHandler;

describe('recoveryInterceptor', () => {
  it('A67 maps a thrown error to the chosen status with context.abort', async () => {
    const recovered: unknown[] = [];
    const recovery = recoveryInterceptor({
      toStatus: (error) =>
        error instanceof NotFound ? { code: StatusCode.NOT_FOUND, details: error.message } : undefined,
      onError: (error) => recovered.push(error),
    });
    const handler = await runServerInterceptors(
      [recovery],
      details,
      lookup(() => {
        throw new NotFound('no user 7');
      }),
    );
    const context = new FakeContext();
    await expect(handler!.unaryUnary!(0, context.asContext())).rejects.toBeInstanceOf(AbortError);
    expect(context.code()).toBe(StatusCode.NOT_FOUND);
    expect(context.details()).toBe('no user 7');
    expect(recovered).toHaveLength(1);
  });

  it('leaves errors the mapping declines, aborts, and finished RPCs alone', async () => {
    const recovery = recoveryInterceptor({ toStatus: () => undefined });
    const boom = new Error('boom');
    const handler = await runServerInterceptors(
      [recovery],
      details,
      lookup(() => {
        throw boom;
      }),
    );
    const context = new FakeContext();
    await expect(handler!.unaryUnary!(0, context.asContext())).rejects.toBe(boom);
    expect(context.code()).toBeUndefined();
    const defaults = recoveryInterceptor();
    const aborting = await runServerInterceptors([defaults], details, async () => ({
      requestStreaming: false,
      responseStreaming: false,
      unaryUnary: async (_request: unknown, ctx: { abort(code: StatusCode, d: string): Promise<never> }) =>
        ctx.abort(StatusCode.PERMISSION_DENIED, 'no'),
    }));
    const abortContext = new FakeContext();
    await expect(aborting!.unaryUnary!(0, abortContext.asContext())).rejects.toBeInstanceOf(AbortError);
    expect(abortContext.details()).toBe('no');
    const done = new FakeContext();
    done.finish();
    const late = await runServerInterceptors(
      [defaults],
      details,
      lookup(() => {
        throw boom;
      }),
    );
    await expect(late!.unaryUnary!(0, done.asContext())).rejects.toBe(boom);
  });

  it('the default mapping: AioRpcError passes its status on, anything else is INTERNAL without internals', () => {
    expect(defaultErrorToStatus(new AioRpcError(StatusCode.UNAVAILABLE, null, null, 'backend down'))).toEqual(
      {
        code: StatusCode.UNAVAILABLE,
        details: 'backend down',
      },
    );
    expect(defaultErrorToStatus(new TypeError('x is undefined'))).toEqual({
      code: StatusCode.INTERNAL,
      details: 'Internal server error',
    });
  });

  it('A67 passes a declined lookup (null) through', async () => {
    expect(await runServerInterceptors([recoveryInterceptor()], details, async () => null)).toBeNull();
  });
});
