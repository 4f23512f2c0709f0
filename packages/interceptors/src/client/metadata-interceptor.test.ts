import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { type FakeCall, FakeChannel } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { interceptChannel } from './intercept-channel.js';
import { metadataInterceptor } from './metadata-interceptor.js';

const METHOD = '/pkg.Svc/Method';
const sent = (call: FakeCall | undefined) => [...Metadata.from(call!.options.metadata)];

describe('metadataInterceptor', () => {
  it('A62 appends fixed pairs to every call kind, after the caller metadata', async () => {
    const fake = new FakeChannel(() => ({ response: 'r', responses: [] }));
    const channel = interceptChannel(fake, metadataInterceptor([['x-app', 'demo']]));
    await channel.unaryUnary(METHOD)(new Uint8Array(), { metadata: [['k', 'v']] });
    for await (const _ of channel.unaryStream(METHOD)(new Uint8Array()));
    await channel.streamUnary(METHOD)([]);
    for await (const _ of channel.streamStream(METHOD)([]));
    expect(sent(fake.calls[0])).toEqual([
      ['k', 'v'],
      ['x-app', 'demo'],
    ]);
    for (const call of fake.calls.slice(1)) expect(sent(call)).toEqual([['x-app', 'demo']]);
  });

  it('with replace, a provided key replaces the caller values', async () => {
    const fake = new FakeChannel();
    const channel = interceptChannel(
      fake,
      metadataInterceptor([['authorization', 'Bearer new']], { replace: true }),
    );
    await channel.unaryUnary(METHOD)(new Uint8Array(), {
      metadata: [
        ['authorization', 'Bearer old'],
        ['k', 'v'],
      ],
    });
    expect(sent(fake.calls[0])).toEqual([
      ['k', 'v'],
      ['authorization', 'Bearer new'],
    ]);
  });

  it('A64 an async source (auth token): the call keeps the channel call status and metadata', async () => {
    const fake = new FakeChannel(() => ({ response: 'r', trailingMetadata: [['t', '1']] }));
    const seenMethods: string[] = [];
    const auth = metadataInterceptor(async (details) => {
      seenMethods.push(details.method);
      return [['authorization', 'Bearer token']];
    });
    const call = interceptChannel(fake, auth).unaryUnary(METHOD)(new Uint8Array());
    expect(await call).toBe('r');
    expect([...(await call.trailingMetadata())]).toEqual([['t', '1']]);
    expect(sent(fake.calls[0])).toEqual([['authorization', 'Bearer token']]);
    expect(seenMethods).toEqual([METHOD]);
  });

  it('a sync function source is applied per call', async () => {
    let n = 0;
    const fake = new FakeChannel();
    const channel = interceptChannel(
      fake,
      metadataInterceptor(() => [['x-n', String(++n)]]),
    );
    await channel.unaryUnary(METHOD)(new Uint8Array());
    await channel.unaryUnary(METHOD)(new Uint8Array());
    expect(fake.calls.map((call) => sent(call))).toEqual([[['x-n', '1']], [['x-n', '2']]]);
  });

  it('a source that throws fails the call without starting it', async () => {
    const fake = new FakeChannel();
    const denied = new AioRpcError(StatusCode.UNAUTHENTICATED, null, null, 'no token');
    const channel = interceptChannel(
      fake,
      metadataInterceptor(async () => {
        throw denied;
      }),
    );
    await expect(channel.unaryUnary(METHOD)(new Uint8Array())).rejects.toBe(denied);
    expect(fake.calls).toHaveLength(0);
  });

  it('A17 invalid fixed metadata is a TypeError at once', () => {
    expect(() => metadataInterceptor([['Bad Key', 'v']])).toThrow(TypeError);
  });

  it('refuses an option it does not take, and a replace that is not a boolean', () => {
    expect(() => metadataInterceptor([['k', 'v']], { overwrite: true } as never)).toThrow(
      new TypeError("metadataInterceptor() does not take the option 'overwrite'; it takes 'replace'."),
    );
    expect(() => metadataInterceptor([['k', 'v']], { replace: 'yes' } as never)).toThrow(
      new TypeError('metadataInterceptor() option replace must be a boolean, got string.'),
    );
  });
});
