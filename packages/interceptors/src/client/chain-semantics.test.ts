// The chain makes one call object per application call (level.ts, intercepted-call.ts): these
// pin that each level keeps the semantics it had with one call object per level (cancellation and
// continuation.signal, hedged calls, done callbacks, matching an async answer to its call,
// timeRemaining(), write-style requests, iterables).
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError, UsageError } from '@grpc-aio/errors';
import { deferred, FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { ClientCallDetails } from './client-call-details.js';
import type {
  StreamUnaryClientInterceptor,
  UnaryStreamClientInterceptor,
  UnaryUnaryClientInterceptor,
  UnaryUnaryContinuation,
} from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';

const METHOD = '/pkg.Svc/Method';
const pass: UnaryUnaryClientInterceptor = { interceptUnaryUnary: (c, d, r) => c(d, r) };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const withTimeout: UnaryUnaryClientInterceptor = {
  interceptUnaryUnary: (c, d, r) => c(d.with({ timeout: 5 }), r),
};

describe('A66 continuation.signal of a level that returns its call at once', () => {
  it('A66 a sync inner level that reads continuation.signal only after returning sees it aborted after a cancel', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    let saved: UnaryUnaryContinuation | undefined;
    const inner: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        saved = c;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, pass, inner).unaryUnary(METHOD)(new Uint8Array());
    expect(call.cancel()).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    // Read late (a background task, a generator, a done callback): the call it belongs to was cancelled.
    expect(saved!.signal.aborted).toBe(true);
  });

  it('A66 a late continuation of a sync inner level after a cancel is born cancelled (no new RPC)', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    let later: (() => unknown) | undefined;
    const hedge: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d: ClientCallDetails, r) {
        later = () => c(d, r); // e.g. a hedged attempt fired from a timer
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, pass, hedge).unaryUnary(METHOD)(new Uint8Array());
    call.cancel();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    const late = later!() as { cancelled(): boolean };
    expect(fake.calls).toHaveLength(1);
    expect(late.cancelled()).toBe(true);
  });

  it('A66 cancelling the call cancels every RPC the last level made (hedging), as continuation.signal did', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const hedge: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        const first = c(d, r);
        c(d, r); // a hedge the interceptor does not return
        return first;
      },
    };
    const call = interceptChannel(fake, hedge).unaryUnary(METHOD)(new Uint8Array());
    expect(fake.calls).toHaveLength(2);
    call.cancel();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    expect(fake.calls[1]!.cancelled()).toBe(true);
  });

  it('A66 a throwing done callback of an inner interceptor does not stop continuation.signal from aborting', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    let signal: AbortSignal | undefined;
    const inner: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        signal = c.signal;
        const call = c(d, r);
        call.addDoneCallback(() => {
          throw new Error('callback failed');
        });
        return call;
      },
    };
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      // The innermost level answers later: its stand-in runs done callbacks as Python does (the first
      // that throws stops the others).
      const slow: UnaryUnaryClientInterceptor = { interceptUnaryUnary: () => new Promise(() => {}) };
      const call = interceptChannel(fake, pass, inner, slow).unaryUnary(METHOD)(new Uint8Array());
      call.cancel();
      await expect(call).rejects.toBeInstanceOf(CancelledError);
    } finally {
      console.error = original;
    }
    expect(signal!.aborted).toBe(true);
  });
});

describe('A66 the one-object chain keeps the per-level semantics', () => {
  it('A66 a server-sent CANCELLED status does not abort continuation.signal of a sync level (nobody cancelled)', async () => {
    let signal: AbortSignal | undefined;
    const reads: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        signal = c.signal;
        return c(d, r);
      },
    };
    // Stands for a call the server ended with CANCELLED (the channel's calls report cancelled() then).
    const serverCancelled: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary() {
        throw new AioRpcError(StatusCode.CANCELLED, null, null, 'server said cancelled');
      },
    };
    const call = interceptChannel(new FakeChannel(), pass, reads, serverCancelled).unaryUnary(METHOD)(
      new Uint8Array(),
    );
    await expect(call).rejects.toBeInstanceOf(AioRpcError);
    expect(signal!.aborted).toBe(false);
  });

  it('A66 cancel before an async outer level finishes cancels the sync inner call and late continuations', async () => {
    const fake = new FakeChannel(() => ({ manual: true }));
    const gate = deferred();
    let cont: UnaryUnaryContinuation | undefined;
    const outer: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        cont = c;
        c(d, r);
        await gate.promise;
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, outer, pass).unaryUnary(METHOD)(new Uint8Array());
    expect(call.cancel()).toBe(true);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    expect(cont!.signal.aborted).toBe(true);
    gate.resolve();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(fake.calls).toHaveLength(1);
  });

  it('A66 retry-style async level over a sync level keeps the real call (code, metadata) on error and success', async () => {
    let n = 0;
    const fake = new FakeChannel(() =>
      ++n === 1
        ? { code: StatusCode.UNAVAILABLE, details: 'down', trailingMetadata: [['t', '1']] }
        : { response: 'ok', trailingMetadata: [['t', '2']] },
    );
    const retry: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        try {
          return await c(d, r);
        } catch {
          await tick();
          return await c(d, r);
        }
      },
    };
    const call = interceptChannel(fake, retry, pass).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('ok');
    expect((await call.trailingMetadata()).get('t')).toBe('2');
    const rethrow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        return c(d, r);
      },
    };
    n = 0;
    const failed = interceptChannel(fake, rethrow, pass, pass).unaryUnary(METHOD)(new Uint8Array());
    await expect(failed).rejects.toBeInstanceOf(AioRpcError);
    expect(await failed.code()).toBe(StatusCode.UNAVAILABLE);
    expect((await failed.trailingMetadata()).get('t')).toBe('1');
  });

  it('A66 closed-channel error through sync and async levels reaches the app as is', async () => {
    const fake = new FakeChannel();
    const error = new UsageError('closed');
    (fake as unknown as { unaryUnary: unknown }).unaryUnary = () => () => {
      throw error;
    };
    const asyncPass: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        return c(d, r);
      },
    };
    const call = interceptChannel(fake, asyncPass, pass, pass).unaryUnary(METHOD)(new Uint8Array());
    await expect(call).rejects.toBe(error);
  });

  it('A66 done callbacks run once, with the app call, also when added after done; CANCELLED before finish', async () => {
    const gate = deferred();
    const slow: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        await gate.promise;
        return c(d, r);
      },
    };
    const call = interceptChannel(new FakeChannel(), pass, slow).unaryUnary(METHOD)(new Uint8Array());
    const seen: unknown[] = [];
    call.addDoneCallback((c) => seen.push(['a', c]));
    call.cancel();
    call.addDoneCallback((c) => seen.push(['b', c]));
    gate.resolve();
    await tick();
    expect(seen).toEqual([
      ['a', call],
      ['b', call],
    ]);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    const ok = interceptChannel(new FakeChannel(), pass, pass).unaryUnary(METHOD)(new Uint8Array());
    await ok;
    const late: unknown[] = [];
    ok.addDoneCallback((c) => late.push(c));
    ok.addDoneCallback((c) => late.push(c));
    expect(late).toEqual([ok, ok]);
  });

  it('A66 write-style stream-unary through an async level then a sync level', async () => {
    const fake = new FakeChannel((start) => ({ response: start.kind }));
    const gate = deferred();
    const slow: StreamUnaryClientInterceptor = {
      async interceptStreamUnary(c, d, it) {
        await gate.promise;
        return c(d, it);
      },
    };
    const passS: StreamUnaryClientInterceptor = { interceptStreamUnary: (c, d, it) => c(d, it) };
    const call = interceptChannel(fake, slow, passS).streamUnary<string, string>(METHOD)();
    const w = call.write('a');
    gate.resolve();
    await w;
    await call.write('b');
    await call.doneWriting();
    expect(await call).toBe('streamUnary');
    expect(fake.calls[0]!.requests).toEqual(['a', 'b']);
  });

  it('A66 a sync inner streaming level returning an iterable: base call is the channel call, cancel reaches it', async () => {
    const fake = new FakeChannel(() => ({ responses: ['x', 'y'], manual: true }));
    const passU: UnaryStreamClientInterceptor = { interceptUnaryStream: (c, d, r) => c(d, r) };
    const upper: UnaryStreamClientInterceptor = {
      interceptUnaryStream(c, d, r) {
        const call = c(d, r);
        return (async function* () {
          for await (const m of call) yield `${m}!`;
        })();
      },
    };
    const call = interceptChannel(fake, passU, upper).unaryStream(METHOD)(new Uint8Array());
    expect(await call.read()).toBe('x!');
    expect(call.cancel()).toBe(true);
    expect(fake.calls[0]!.cancelled()).toBe(true);
    expect(await call.code()).toBe(StatusCode.CANCELLED);
  });
});

describe('A66 responses matched back to their call through async levels', () => {
  it('A66 an outer async level that resolves with the response from a done callback keeps the real call (trailing metadata)', async () => {
    const fake = new FakeChannel(() => ({ response: 'r', trailingMetadata: [['k', 'v']] }));
    // Inner level answers with a promise: the outer level's continuation returns its stand-in.
    const innerAsync: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        return c(d, r);
      },
    };
    // Outer level: "when the call is done, answer with its response" (its promise resolves with the
    // response of the call it got, which the chain must recognise as "returned the call").
    const outer: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        const call = c(d, r);
        return new Promise((resolve) => call.addDoneCallback(() => resolve(call.then((v) => v))));
      },
    };
    const call = interceptChannel(fake, outer, innerAsync).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('r');
    expect(await call.code()).toBe(StatusCode.OK);
    expect((await call.trailingMetadata()).get('k')).toBe('v');
  });

  it('A66 a sync inner level returning a call-like without then under an async level does not throw from the multi-callable', async () => {
    const fake = new FakeChannel(() => ({ response: 'r' }));
    // Returns a wrapper that implements the Call surface but not then (a contract violation for
    // unary, tolerated before: the app's await resolved to the object).
    const wrapper: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        const inner = c(d, r);
        return {
          cancel: () => inner.cancel(),
          cancelled: () => inner.cancelled(),
          done: () => inner.done(),
          timeRemaining: () => inner.timeRemaining(),
          addDoneCallback: (cb: (call: unknown) => void) => inner.addDoneCallback(cb),
          initialMetadata: () => inner.initialMetadata(),
          trailingMetadata: () => inner.trailingMetadata(),
          code: () => inner.code(),
          details: () => inner.details(),
          debugErrorString: () => inner.debugErrorString(),
          waitForConnection: () => inner.waitForConnection(),
        } as never;
      },
    };
    const outerAsync: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary(c, d, r) {
        const call = c(d, r);
        await call.code();
        return 'plain';
      },
    };
    const make = () => interceptChannel(fake, outerAsync, wrapper).unaryUnary(METHOD)(new Uint8Array());
    expect(make).not.toThrow();
  });
});

describe('A66 timeRemaining() when an inner level answers by itself', () => {
  it('A66 a sync inner level answering by itself: the timeout an outer level set counts (as for an async one)', async () => {
    const cache: UnaryUnaryClientInterceptor = { interceptUnaryUnary: () => 'cached' };
    const call = interceptChannel(new FakeChannel(), withTimeout, cache).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('cached');
    const left = call.timeRemaining();
    expect(left).toBeGreaterThan(4);
  });

  it('A66 same chain with an async inner level (for comparison: counts the timeout level 0 set)', async () => {
    const gate = deferred();
    const cache: UnaryUnaryClientInterceptor = {
      async interceptUnaryUnary() {
        await gate.promise;
        return 'cached';
      },
    };
    const call = interceptChannel(new FakeChannel(), withTimeout, cache).unaryUnary(METHOD)(new Uint8Array());
    gate.resolve();
    expect(await call).toBe('cached');
    expect(call.timeRemaining()).toBeGreaterThan(4);
  });
});

describe('A66 continuation extras', () => {
  it('A66 clock survives copying the continuation (signal is a getter: read it from the continuation)', async () => {
    let copied: { signal?: AbortSignal; clock?: unknown } | undefined;
    const wrapping: UnaryUnaryClientInterceptor = {
      interceptUnaryUnary(c, d, r) {
        // A helper that wraps the continuation and keeps its extras.
        const wrapped = Object.assign((dd: typeof d, rr: unknown) => c(dd, rr), c);
        copied = wrapped;
        return wrapped(d, r);
      },
    };
    await interceptChannel(new FakeChannel(), wrapping).unaryUnary(METHOD)(new Uint8Array());
    expect(copied!.clock).toBeDefined();
  });
});
