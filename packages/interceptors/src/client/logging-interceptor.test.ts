import { StatusCode } from '@grpc-aio/core';
import { FakeChannel, until } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { interceptChannel } from './intercept-channel.js';
import {
  type ClientCallLogEntry,
  clientLoggingInterceptor,
  formatClientCallLogEntry,
} from './logging-interceptor.js';

const METHOD = '/pkg.Svc/Method';

describe('clientLoggingInterceptor', () => {
  it('reports method, kind, code, details and duration of every call when it ends', async () => {
    const entries: ClientCallLogEntry[] = [];
    let clock = 1000;
    const fake = new FakeChannel(({ method }) =>
      method.endsWith('Fail')
        ? { code: StatusCode.NOT_FOUND, details: 'gone' }
        : { response: 'r', responses: [] },
    );
    const channel = interceptChannel(
      fake,
      clientLoggingInterceptor({
        logger: (entry) => entries.push(entry),
        now: () => (clock += 5),
      }),
    );
    await channel.unaryUnary(METHOD)(new Uint8Array());
    await expect(channel.unaryUnary('/pkg.Svc/Fail')(new Uint8Array())).rejects.toThrow('gone');
    for await (const _ of channel.streamStream(METHOD)([]));
    await until(() => entries.length === 3);
    expect(entries).toEqual([
      { method: METHOD, kind: 'unaryUnary', code: StatusCode.OK, details: '', durationMs: 5 },
      {
        method: '/pkg.Svc/Fail',
        kind: 'unaryUnary',
        code: StatusCode.NOT_FOUND,
        details: 'gone',
        durationMs: 5,
      },
      { method: METHOD, kind: 'streamStream', code: StatusCode.OK, details: '', durationMs: 5 },
    ]);
  });

  it('formats a default line', () => {
    expect(
      formatClientCallLogEntry({
        method: METHOD,
        kind: 'unaryUnary',
        code: StatusCode.UNAVAILABLE,
        details: 'down',
        durationMs: 12.34,
      }),
    ).toBe('grpc client /pkg.Svc/Method StatusCode.UNAVAILABLE 12.3ms "down"');
  });

  it('uses console.info by default, and a logger that throws does not break the call', async () => {
    const lines: unknown[] = [];
    const errors: unknown[] = [];
    const info = console.info;
    const error = console.error;
    console.info = (line: unknown) => lines.push(line);
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const plain = interceptChannel(new FakeChannel(), clientLoggingInterceptor());
      await plain.unaryUnary(METHOD)(new Uint8Array());
      await until(() => lines.length === 1);
      expect(String(lines[0])).toMatch(/^grpc client \/pkg\.Svc\/Method StatusCode\.OK \d+\.\dms$/);
      const throwing = interceptChannel(
        new FakeChannel(() => ({ response: 'ok' })),
        clientLoggingInterceptor({
          logger: () => {
            throw new Error('log down');
          },
        }),
      );
      expect(await throwing.unaryUnary(METHOD)(new Uint8Array())).toBe('ok');
      await until(() => errors.length === 1);
    } finally {
      console.info = info;
      console.error = error;
    }
  });
});
