import { StatusCode } from '@grpc-aio/core';
import { CancelledError } from '@grpc-aio/errors';
import { deferred, FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { StreamUnaryClientInterceptor, UnaryUnaryClientInterceptor } from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';
import { InterceptedStreamUnaryCall, InterceptedUnaryUnaryCall } from './intercepted-call.js';

const METHOD = '/pkg.Svc/Method';
const pass: UnaryUnaryClientInterceptor = { interceptUnaryUnary: (c, d, r) => c(d, r) };

// One call object per application call: a level whose interceptor returns a call at once hands up
// that call itself; only a level that answers later (or whose caller writes the requests) gets a
// stand-in InterceptedCall.
describe('A66 one intercepted call per application call', () => {
  it('A66 levels that return the call at once hand up the channel call itself', async () => {
    const fake = new FakeChannel(() => ({ response: 'r' }));
    let inner: unknown;
    const outer: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        inner = c(d, r);
        return inner as ReturnType<typeof c>;
      },
    };
    const call = interceptChannel(fake, outer, pass, pass).unaryUnary(METHOD)(new Uint8Array());
    expect(call).toBeInstanceOf(InterceptedUnaryUnaryCall);
    expect(inner).toBe(fake.calls[0]);
    expect(await call).toBe('r');
  });

  it('A66 a level that answers with a promise is a stand-in call until it does', async () => {
    const fake = new FakeChannel(() => ({ response: 'r' }));
    const gate = deferred();
    let inner: unknown;
    const outer: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        inner = c(d, r);
        return inner as ReturnType<typeof c>;
      },
    };
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        await gate.promise;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, outer, slow).unaryUnary(METHOD)(new Uint8Array());
    expect(inner).toBeInstanceOf(InterceptedUnaryUnaryCall);
    expect(fake.calls).toHaveLength(0);
    gate.resolve();
    expect(await call).toBe('r');
    expect(await (inner as InterceptedUnaryUnaryCall).code()).toBe(StatusCode.OK);
  });

  it('A66 a level whose caller writes the requests gets a call that takes write()', async () => {
    const fake = new FakeChannel((start) => ({ response: start.kind }));
    let inner: unknown;
    const writer: StreamUnaryClientInterceptor = {
      interceptStreamUnary(c, d) {
        const call = c(d, undefined);
        inner = call;
        void (async () => {
          await call.write('a');
          await call.write('b');
          await call.doneWriting();
        })();
        return call;
      },
    };
    const passStream: StreamUnaryClientInterceptor = { interceptStreamUnary: (c, d, r) => c(d, r) };
    const call = interceptChannel(fake, writer, passStream).streamUnary(METHOD)([]);
    expect(inner).toBeInstanceOf(InterceptedStreamUnaryCall);
    expect(await call).toBe('streamUnary');
    expect(fake.calls[0]!.requests).toEqual(['a', 'b']);
  });

  it('A66 continuation.signal, once read, reaches the channel and aborts when its call is cancelled', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    let signal: AbortSignal | undefined;
    const reads: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        signal = c.signal;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, pass, reads).unaryUnary(METHOD)(new Uint8Array());
    expect(fake.calls[0]!.options.signal).toBe(signal);
    expect(signal!.aborted).toBe(false);
    expect(call.cancel()).toBe(true);
    expect(signal!.aborted).toBe(true);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
  });

  it('A66 continuation.signal read after a cancel is already aborted', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const gate = deferred();
    let signal: AbortSignal | undefined;
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        await gate.promise;
        signal = c.signal;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, slow).unaryUnary(METHOD)(new Uint8Array());
    call.cancel();
    gate.resolve();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(signal!.aborted).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });
});
