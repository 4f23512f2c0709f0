import { StatusCode } from '@grpc-aio/core';
import { describe, expect, it } from 'vitest';
import { serverFromHandlers } from '../src/index.js';
import { COUNTDOWN, greeterServicer, SAY_HELLO } from './example-app.js';

describe('example: unit-testing a servicer with the harness', () => {
  const server = serverFromHandlers(greeterServicer);

  it('A78 says hello', async () => {
    const { response, code } = await server.invokeUnaryUnary(SAY_HELLO, { name: 'ada' }).termination();
    expect([code, response]).toEqual([StatusCode.OK, { message: 'Hello, ada!' }]);
  });

  it('A78 rejects an empty name', async () => {
    const { code, details } = await server.invokeUnaryUnary(SAY_HELLO, { name: '' }).termination();
    expect([code, details]).toEqual([StatusCode.INVALID_ARGUMENT, 'name is required']);
  });

  it('A78 counts down', async () => {
    const rpc = server.invokeUnaryStream(COUNTDOWN, { from: 2 });
    expect([await rpc.takeResponse(), await rpc.takeResponse()]).toEqual([{ count: 2 }, { count: 1 }]);
    expect((await rpc.termination()).code).toBe(StatusCode.OK);
  });
});
