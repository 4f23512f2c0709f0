import { StatusCode } from '@grpc-aio/core';
import { CONCURRENT_RPC_LIMIT, METHOD_NOT_FOUND, SERVER_NOT_READY, UsageError } from '@grpc-aio/errors';
import { aborted, bidi, bytes, deferred, newClient, serverStream, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it, vi } from 'vitest';
import {
  CANCELLED_BY_SERVER_STOP,
  HANDLER_ABANDONED_WARNING_CODE,
  LATE_REGISTRATION_WARNING_CODE,
  methodHandlersGenericHandler,
  SERVER_SHUTTING_DOWN,
  server,
  streamStreamRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { startServer, track } from './helpers.js';

describe('server()', () => {
  it('A3 rejects non-interceptors and maximumConcurrentRpcs <= 0', () => {
    expect(() => server({ interceptors: [{} as never] })).toThrow(TypeError);
    expect(() => server({ interceptors: [{}] as never })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Interceptor at index 0 must be a ServerInterceptor (an object with interceptService), got object.]`,
    );
    expect(() => server({ maximumConcurrentRpcs: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: maximumConcurrentRpcs should be a positive integer, got 0.]`,
    );
    expect(() => server({ maximumConcurrentRpcs: -1 })).toThrow(RangeError);
    expect(() => server({ maximumConcurrentRpcs: '3' as never })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: maximumConcurrentRpcs should be a positive integer, got string.]`,
    );
    expect(() => server({ maximumConcurrentRpcs: 1.5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: maximumConcurrentRpcs should be a positive integer, got 1.5.]`,
    );
    expect(() => server({ handlers: [{}] as never })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Generic handler at index 0 must have a service(handlerCallDetails) method.]`,
    );
    expect(() => server({ options: [['grpc.x', {}]] as never })).toThrow(TypeError);
  });

  it('A3 options server() does not take are refused, naming them', () => {
    expect(() => server({ maximumConcurrentRPCs: 3 } as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: server() does not take the option 'maximumConcurrentRPCs'; it takes 'handlers', 'interceptors', 'options', 'maximumConcurrentRpcs', 'compression', 'grpcWeb', 'telemetry'.]`,
    );
    expect(() => server({ migrationThreadPool: {} } as never)).toThrow(
      "server() does not take the option 'migrationThreadPool' (Node runs handlers on its event loop: there is no thread pool)",
    );
    expect(() => server({ 'grpc.max_receive_message_length': 1 } as never)).toThrow(
      "(a channel argument goes in options: [['grpc.max_receive_message_length', value]])",
    );
  });

  it('A3 passes handlers and grpc-js options through', async () => {
    const { client } = await startServer(() => {}, {
      handlers: [
        methodHandlersGenericHandler('t.S', {
          M: unaryUnaryRpcMethodHandler((r: string) => r, text, bytes),
        }),
      ],
      options: [['grpc.max_receive_message_length', 10]],
    });
    expect((await unary(client, '/t.S/M', 'small')).responses).toEqual(['small']);
    expect((await unary(client, '/t.S/M', 'x'.repeat(100))).status.code).toBe(StatusCode.RESOURCE_EXHAUSTED);
  });
});

describe('ports and lifecycle', () => {
  it('A44 addInsecurePort returns the chosen port; a port in use is a clear error naming the address', async () => {
    const srv = track(server());
    const port = await srv.addInsecurePort('127.0.0.1:0');
    expect(port).toBeGreaterThan(0);
    const other = track(server());
    const error = await other.addInsecurePort(`127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Failed to bind to address 127.0.0.1:${port}`);
  });

  it('A45 RPCs wait for start(); start() twice is a no-op; start() after stop() is a UsageError', async () => {
    const srv = track(
      server({
        handlers: [
          methodHandlersGenericHandler('t.S', { M: unaryUnaryRpcMethodHandler(() => 'ok', text, bytes) }),
        ],
      }),
    );
    const port = await srv.addInsecurePort('127.0.0.1:0');
    const client = newClient(port);
    const early = unary(client, '/t.S/M', 'x');
    await new Promise((resolve) => client.waitForReady(Date.now() + 5000, resolve));
    await srv.start();
    await srv.start();
    expect((await early).responses).toEqual(['ok']);
    await srv.stop(null);
    await expect(srv.start()).rejects.toThrow(UsageError);
    await expect(srv.start()).rejects.toThrow(SERVER_NOT_READY);
  });

  it('A43 addRegisteredMethodHandlers after start() warns and is ignored', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const { srv, client } = await startServer(() => {});
      srv.addRegisteredMethodHandlers('t.S', { M: unaryUnaryRpcMethodHandler(() => 'late', text, bytes) });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('after start() is ignored'), {
        type: 'GrpcAioWarning',
        code: LATE_REGISTRATION_WARNING_CODE,
      });
      const outcome = await unary(client, '/t.S/M', 'x');
      expect(outcome.status.details).toBe(METHOD_NOT_FOUND);
    } finally {
      warn.mockRestore();
    }
  });

  it('A46 stop() before start() refuses the RPCs that were waiting for start()', async () => {
    const srv = track(server());
    const port = await srv.addInsecurePort('127.0.0.1:0');
    const client = newClient(port);
    const waiting = unary(client, '/t.S/M', 'x');
    await new Promise((resolve) => client.waitForReady(Date.now() + 5000, resolve));
    await srv.stop(null);
    expect((await waiting).status).toMatchObject({ code: StatusCode.UNAVAILABLE });
  });

  it('A47 waitForTermination(timeout) is true on timeout, false once stopped', async () => {
    const { srv } = await startServer(() => {});
    expect(await srv.waitForTermination(0.05)).toBe(true);
    const waiting = srv.waitForTermination();
    await srv.stop(null);
    expect(await waiting).toBe(false);
    expect(await srv.waitForTermination(5)).toBe(false);
  });

  it('A46 stop() is idempotent and new RPCs after it fail', async () => {
    const { srv, port } = await startServer(() => {});
    await srv.stop(null);
    await srv.stop(null);
    await srv.stop(1);
    const client = newClient(port);
    const outcome = await unary(client, '/t.S/M', 'x', { timeout: 2 });
    expect(outcome.status.code).toBe(StatusCode.UNAVAILABLE);
  });

  it('A46 stop(null) cancels in-flight unary, streaming and bidi calls and waits for their handlers', async () => {
    const started: Promise<void>[] = [];
    const ended: string[] = [];
    const handler = (name: string) => {
      const ready = deferred();
      started.push(ready.promise);
      return { ready, name };
    };
    const unaryH = handler('unary');
    const streamH = handler('stream');
    const bidiH = handler('bidi');
    const { srv, client } = await startServer((s) =>
      s.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          Unary: unaryUnaryRpcMethodHandler(
            async (_r: string, context) => {
              unaryH.ready.resolve();
              await aborted(context.signal);
              expect((context.signal.reason as Error).message).toBe(CANCELLED_BY_SERVER_STOP);
              expect(context.cancelled()).toBe(true);
              ended.push('unary');
              return 'late';
            },
            text,
            bytes,
          ),
          Stream: unaryStreamRpcMethodHandler(
            async function* (_r: string, context) {
              try {
                yield 'first';
                streamH.ready.resolve();
                await aborted(context.signal);
              } finally {
                ended.push('stream');
              }
            },
            text,
            bytes,
          ),
          Bidi: streamStreamRpcMethodHandler(
            async function* (requests: AsyncIterable<string>) {
              try {
                for await (const request of requests) {
                  yield request;
                  bidiH.ready.resolve();
                }
              } finally {
                ended.push('bidi');
              }
            },
            text,
            bytes,
          ),
        }),
      ]),
    );
    const u = unary(client, '/t.S/Unary', 'x');
    const s = serverStream(client, '/t.S/Stream', 'x');
    const b = bidi(client, '/t.S/Bidi');
    b.call.write(bytes('hi'));
    await Promise.all(started);
    await srv.stop(null);
    expect(ended.sort()).toEqual(['bidi', 'stream', 'unary']);
    for (const outcome of await Promise.all([u, s, b.outcome])) {
      expect([StatusCode.UNAVAILABLE, StatusCode.CANCELLED]).toContain(outcome.status.code);
    }
    expect((await u).status).toMatchObject({ code: StatusCode.UNAVAILABLE, details: SERVER_SHUTTING_DOWN });
  });

  it('A46 stop(grace) lets RPCs finish within the grace, then cancels the rest', async () => {
    const release = deferred();
    const slowEnded = deferred<boolean>();
    const started = [deferred(), deferred(), deferred()];
    const { srv, client } = await startServer((s) =>
      s.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          Chat: streamStreamRpcMethodHandler(
            async function* (requests: AsyncIterable<string>) {
              for await (const request of requests) {
                yield request;
                started[2]?.resolve();
              }
            },
            text,
            bytes,
          ),
          Quick: unaryUnaryRpcMethodHandler(
            async () => {
              started[0]?.resolve();
              await release.promise;
              return 'finished';
            },
            text,
            bytes,
          ),
          Slow: unaryStreamRpcMethodHandler(
            async function* (_r: string, context) {
              started[1]?.resolve();
              yield 'partial';
              await aborted(context.signal);
              slowEnded.resolve(context.cancelled());
            },
            text,
            bytes,
          ),
        }),
      ]),
    );
    const quick = unary(client, '/t.S/Quick', 'x');
    const slow = serverStream(client, '/t.S/Slow', 'x');
    const chat = bidi(client, '/t.S/Chat');
    chat.call.write(bytes('before stop'));
    await Promise.all(started.map((d) => d.promise));
    const t0 = Date.now();
    const stopped = srv.stop(0.4);
    // New RPCs are refused at once.
    const refused = await unary(client, '/t.S/Quick', 'x', { timeout: 1 });
    expect(refused.status.code).toBe(StatusCode.UNAVAILABLE);
    release.resolve();
    expect((await quick).responses).toEqual(['finished']);
    // A bidi call in flight goes on within the grace.
    chat.call.write(bytes('during grace'));
    chat.call.end();
    const chatOutcome = await chat.outcome;
    expect(chatOutcome.responses).toEqual(['before stop', 'during grace']);
    expect(chatOutcome.status.code).toBe(StatusCode.OK);
    await stopped;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(await slowEnded.promise).toBe(true);
    const slowOutcome = await slow;
    expect(slowOutcome.responses).toEqual(['partial']);
    expect([StatusCode.UNAVAILABLE, StatusCode.CANCELLED]).toContain(slowOutcome.status.code);
  });

  it('A46 a later smaller grace shortens the wait; a larger one does not extend it', async () => {
    const ended = deferred();
    const started = deferred();
    const { srv, client } = await startServer((s) =>
      s.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          Wait: unaryUnaryRpcMethodHandler(
            async (_r: string, context) => {
              started.resolve();
              await aborted(context.signal);
              ended.resolve();
              return 'x';
            },
            text,
            bytes,
          ),
        }),
      ]),
    );
    const call = unary(client, '/t.S/Wait', 'x');
    await started.promise;
    const t0 = Date.now();
    const first = srv.stop(30);
    const second = srv.stop(0.1);
    const third = srv.stop(60);
    await Promise.all([first, second, third]);
    expect(Date.now() - t0).toBeLessThan(5000);
    await ended.promise;
    expect([StatusCode.UNAVAILABLE, StatusCode.CANCELLED]).toContain((await call).status.code);
    await expect(srv.stop(-1)).rejects.toThrow(RangeError);
  });

  it('A46 await using stops the server without grace (Symbol.asyncDispose)', async () => {
    let port = 0;
    {
      await using srv = server();
      port = await srv.addInsecurePort('127.0.0.1:0');
      await srv.start();
    }
    const outcome = await unary(newClient(port), '/t.S/M', 'x', { timeout: 1 });
    expect(outcome.status.code).toBe(StatusCode.UNAVAILABLE);
  });

  it('A48 over maximumConcurrentRpcs -> RESOURCE_EXHAUSTED; UNIMPLEMENTED is checked first (2x load)', async () => {
    const limit = 4;
    const release = deferred();
    let running = 0;
    let peak = 0;
    const { client } = await startServer(
      (s) =>
        s.addGenericRpcHandlers([
          methodHandlersGenericHandler('t.S', {
            Hold: unaryUnaryRpcMethodHandler(
              async () => {
                running++;
                peak = Math.max(peak, running);
                await release.promise;
                running--;
                return 'done';
              },
              text,
              bytes,
            ),
          }),
        ]),
      { maximumConcurrentRpcs: limit },
    );
    let settled = 0;
    const calls = Array.from({ length: limit * 2 }, () =>
      unary(client, '/t.S/Hold', 'x').then((outcome) => {
        settled++;
        return outcome;
      }),
    );
    // Every call is either running (holding a slot) or already refused.
    await vi.waitFor(() => expect([running, settled]).toEqual([limit, limit]));
    const unknown = await unary(client, '/t.S/Nope', 'x');
    expect(unknown.status).toMatchObject({ code: StatusCode.UNIMPLEMENTED, details: METHOD_NOT_FOUND });
    release.resolve();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o.status.code === StatusCode.OK)).toHaveLength(limit);
    const exhausted = outcomes.filter((o) => o.status.code === StatusCode.RESOURCE_EXHAUSTED);
    expect(exhausted).toHaveLength(limit);
    expect(exhausted[0]?.status.details).toBe(CONCURRENT_RPC_LIMIT);
    expect(peak).toBe(limit);
    // Slots are given back: the server serves again.
    expect((await unary(client, '/t.S/Hold', 'x')).responses).toEqual(['done']);
  });
});

describe('handlers that ignore cancellation', () => {
  it('A48 A46 A60 their RPCs end on time: slots are free at once, stop(grace) resolves at the grace, late results are discarded with one warning naming the method', async () => {
    const release = deferred();
    let started = 0;
    const warnings: string[] = [];
    // Captured (not printed): the warnings are what this test checks.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(((
      message: string | Error,
      options?: { code?: string },
    ) => {
      if (options?.code === HANDLER_ABANDONED_WARNING_CODE) warnings.push(String(message));
    }) as typeof process.emitWarning);
    try {
      const { srv, client } = await startServer(
        (s) =>
          s.addGenericRpcHandlers([
            methodHandlersGenericHandler('t.S', {
              // Never looks at context.signal; returns only when the test lets it.
              Hang: unaryUnaryRpcMethodHandler(
                async () => {
                  started++;
                  await release.promise;
                  return 'late';
                },
                text,
                bytes,
              ),
              Quick: unaryUnaryRpcMethodHandler((request: string) => request, text, bytes),
            }),
          ]),
        { maximumConcurrentRpcs: 3 },
      );
      const hung = await Promise.all([1, 2, 3].map(() => unary(client, '/t.S/Hang', 'x', { timeout: 0.2 })));
      expect(hung.map((outcome) => outcome.status.code)).toEqual([
        StatusCode.DEADLINE_EXCEEDED,
        StatusCode.DEADLINE_EXCEEDED,
        StatusCode.DEADLINE_EXCEEDED,
      ]);
      // The three handlers still run, yet their slots are free.
      expect(started).toBe(3);
      expect((await unary(client, '/t.S/Quick', 'free')).responses).toEqual(['free']);
      // Two more that hang without a deadline: stop(0.3) cuts them off and does not wait for them.
      const pending = [unary(client, '/t.S/Hang', 'x'), unary(client, '/t.S/Hang', 'x')];
      await vi.waitFor(() => expect(started).toBe(5));
      const stopped = await Promise.race([
        srv.stop(0.3).then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for the handlers'), 5000)),
      ]);
      expect(stopped).toBe('stopped');
      expect(await srv.waitForTermination(0)).toBe(false);
      for (const outcome of await Promise.all(pending)) {
        expect([StatusCode.UNAVAILABLE, StatusCode.CANCELLED]).toContain(outcome.status.code);
      }
      expect(warnings).toEqual([]);
      release.resolve();
      await vi.waitFor(() => expect(warnings).toHaveLength(5));
      expect(
        warnings.filter(
          (warning) =>
            warning ===
            'The handler of /t.S/Hang went on after its RPC ended (The RPC was cancelled because the server stopped.); what it returned or threw is discarded.',
        ),
      ).toHaveLength(2);
      for (const warning of warnings)
        expect(warning).toMatch(/^The handler of \/t\.S\/Hang went on after its RPC ended \(/);
    } finally {
      emitWarning.mockRestore();
      release.resolve();
    }
  });

  it('A60 a handler that answers the interruption within the turn is not warned about', async () => {
    const warnings: unknown[] = [];
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code === HANDLER_ABANDONED_WARNING_CODE) warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const interrupted = deferred();
      const { client } = await startServer((s) =>
        s.addGenericRpcHandlers([
          methodHandlersGenericHandler('t.S', {
            Polite: unaryUnaryRpcMethodHandler(
              async (_r: string, context) => {
                await aborted(context.signal);
                interrupted.resolve();
                return 'late';
              },
              text,
              bytes,
            ),
          }),
        ]),
      );
      expect((await unary(client, '/t.S/Polite', 'x', { timeout: 0.2 })).status.code).toBe(
        StatusCode.DEADLINE_EXCEEDED,
      );
      await interrupted.promise;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
