import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { describe, expect, it } from 'vitest';
import { fakeChannel, strictFakeTime } from '../src/index.js';
import { GreeterClient, SAY_HELLO } from './example-app.js';

describe('example: unit-testing a client class with a fake channel', () => {
  it('A78 greets (scripted server)', async () => {
    await using channel = fakeChannel().handle(SAY_HELLO, (request) => ({ message: `hi ${request.name}` }));
    expect(await new GreeterClient(channel).greet('ada')).toBe('hi ada');
  });

  it('A78 sends metadata and a 5 s timeout (the test takes the call)', async () => {
    await using channel = fakeChannel({ time: strictFakeTime(0) });
    const greeting = new GreeterClient(channel).greet('ada');
    const { request, invocationMetadata, rpc } = await channel.takeUnaryUnary(SAY_HELLO);
    expect(request).toEqual({ name: 'ada' });
    expect([invocationMetadata.get('client'), rpc.timeRemaining()]).toEqual(['example', 5]);
    rpc.terminate({ message: 'hello' });
    expect(await greeting).toBe('hello');
  });

  it('A78 falls back on NOT_FOUND', async () => {
    await using channel = fakeChannel().handle(SAY_HELLO, () => {
      throw new AioRpcError(StatusCode.NOT_FOUND, null, null, 'unknown');
    });
    expect(await new GreeterClient(channel).greet('bob')).toBe('Who is bob?');
  });

  it('A78 gives up after 5 s of (fake) time', async () => {
    const time = strictFakeTime(0);
    await using channel = fakeChannel({ time });
    const greeting = new GreeterClient(channel).greet('ada').catch((error: AioRpcError) => error.code());
    await channel.takeUnaryUnary(SAY_HELLO);
    await time.advance(5);
    expect(await greeting).toBe(StatusCode.DEADLINE_EXCEEDED);
  });
});
