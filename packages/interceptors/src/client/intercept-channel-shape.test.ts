// An intercepted channel looks like a channel: its multi-callable makers are named, non-enumerable
// methods, and chains over chains route every kind.
import { FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import type { ClientInterceptor } from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';

const METHOD = '/pkg.Svc/Method';
const KINDS = ['unaryUnary', 'unaryStream', 'streamUnary', 'streamStream'] as const;

const all = (log: string[], name: string): ClientInterceptor => ({
  interceptUnaryUnary: (c, d, r) => (log.push(`${name} uu`), c(d, r)),
  interceptUnaryStream: (c, d, r) => (log.push(`${name} us`), c(d, r)),
  interceptStreamUnary: (c, d, r) => (log.push(`${name} su`), c(d, r)),
  interceptStreamStream: (c, d, r) => (log.push(`${name} ss`), c(d, r)),
});

describe('A62 the intercepted channel', () => {
  it('A62 for...in over an intercepted channel lists no keys, as with class methods', () => {
    const channel = interceptChannel(new FakeChannel(), all([], 'a'));
    const keys: string[] = [];
    for (const key in channel) keys.push(key);
    expect(keys).toEqual([]);
    expect(Object.keys(channel)).toEqual([]);
  });

  it('A62 the makers are non-enumerable prototype methods', () => {
    const proto = Object.getPrototypeOf(interceptChannel(new FakeChannel(), all([], 'a')));
    for (const kind of KINDS) expect(Object.getOwnPropertyDescriptor(proto, kind)?.enumerable).toBe(false);
  });

  it('A62 the makers are named after their kind (stack traces, logging)', () => {
    const channel = interceptChannel(new FakeChannel(), all([], 'a'));
    for (const kind of KINDS) expect(channel[kind].name).toBe(kind);
  });

  it('A62 works for every kind when the wrapped channel is itself intercepted (a middle level intercepting one kind only)', async () => {
    const log: string[] = [];
    const channel = interceptChannel(
      interceptChannel(interceptChannel(new FakeChannel(), all(log, 'inner')), {
        interceptUnaryUnary: (c, d, r) => (log.push('middle uu'), c(d, r)),
      }),
      all(log, 'outer'),
    );
    await channel.unaryUnary(METHOD)(new Uint8Array());
    for await (const _ of channel.unaryStream(METHOD)(new Uint8Array()));
    await channel.streamUnary(METHOD)([new Uint8Array()]);
    for await (const _ of channel.streamStream(METHOD)([new Uint8Array()]));
    expect(log).toEqual([
      'outer uu',
      'middle uu',
      'inner uu',
      'outer us',
      'inner us',
      'outer su',
      'inner su',
      'outer ss',
      'inner ss',
    ]);
  });
});
