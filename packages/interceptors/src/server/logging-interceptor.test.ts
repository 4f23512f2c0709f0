import { type HandlerCallDetails, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { FakeContext } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  formatServerCallLogEntry,
  type ServerCallLogEntry,
  serverLoggingInterceptor,
} from './logging-interceptor.js';
import { runServerInterceptors } from './server-interceptor.js';

const details: HandlerCallDetails = { method: '/pkg.Svc/M', invocationMetadata: new Metadata() };

describe('serverLoggingInterceptor', () => {
  it('A67 reports method, code and duration of each RPC', async () => {
    const entries: ServerCallLogEntry[] = [];
    let clock = 0;
    const logging = serverLoggingInterceptor({
      logger: (entry) => entries.push(entry),
      now: () => (clock += 2),
    });
    const failure = new AioRpcError(StatusCode.UNAVAILABLE, null, null, 'down');
    const crash = new Error('crash');
    const handler = await runServerInterceptors([logging], details, async () => ({
      requestStreaming: false,
      responseStreaming: false,
      unaryUnary: async (request: string, context: { setCode(code: StatusCode): void }) => {
        if (request === 'fail') throw failure;
        if (request === 'crash') throw crash;
        if (request === 'set') context.setCode(StatusCode.ABORTED);
        return request;
      },
    }));
    const run = (request: string) => handler!.unaryUnary!(request, new FakeContext().asContext());
    expect(await run('ok')).toBe('ok');
    await run('set');
    await expect(run('fail')).rejects.toBe(failure);
    await expect(run('crash')).rejects.toBe(crash);
    expect(
      await runServerInterceptors([logging], { ...details, method: '/pkg.Svc/None' }, async () => null),
    ).toBeNull();
    expect(entries).toEqual([
      { method: '/pkg.Svc/M', code: StatusCode.OK, durationMs: 2 },
      { method: '/pkg.Svc/M', code: StatusCode.ABORTED, durationMs: 2 },
      { method: '/pkg.Svc/M', code: StatusCode.UNAVAILABLE, durationMs: 2, error: failure },
      { method: '/pkg.Svc/M', code: StatusCode.UNKNOWN, durationMs: 2, error: crash },
      { method: '/pkg.Svc/None', code: StatusCode.UNIMPLEMENTED, durationMs: 0 },
    ]);
  });

  it('formats a default line, and a throwing logger is contained', async () => {
    expect(formatServerCallLogEntry({ method: '/a.B/C', code: StatusCode.OK, durationMs: 1.24 })).toBe(
      'grpc server /a.B/C StatusCode.OK 1.2ms',
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const logging = serverLoggingInterceptor({
        logger: () => {
          throw new Error('log down');
        },
      });
      expect(await runServerInterceptors([logging], details, async () => null)).toBeNull();
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });
});
