// Issue 20 item 4 over loopback: a runtime-loaded stub refuses a bad request with a TypeError
// naming the field before anything reaches the server; the server hands its handler bigints for
// int64 fields, and the client gets bigints back.
import { insecureChannel } from '@grpc-aio/channel';
import { type Channel, type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { addServicer, loadFromSource, stub } from '@grpc-aio/protos';
import { server } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { services } = loadFromSource(
  `syntax = "proto3";
  package calculator;
  message DivideRequest { int64 dividend = 1; int64 divisor = 2; }
  message DivideReply { int64 quotient = 1; }
  service Calculator {
    rpc Divide(DivideRequest) returns (DivideReply);
    rpc Sum(stream DivideRequest) returns (DivideReply);
  }`,
  { filename: 'calculator.proto' },
);
const calculator = services['calculator.Calculator']!;

let srv: Server;
let channel: Channel;
const received: unknown[] = [];

beforeAll(async () => {
  srv = server();
  addServicer(srv, calculator, {
    divide(request: { dividend: bigint; divisor: bigint }) {
      received.push(request);
      if (request.divisor === 0n) return { quotient: 'infinity' };
      return { quotient: request.dividend / request.divisor };
    },
    async sum(requests: AsyncIterable<{ dividend: bigint }>) {
      let quotient = 0n;
      for await (const request of requests) quotient += request.dividend;
      return { quotient };
    },
  });
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  channel = insecureChannel(`127.0.0.1:${port}`);
});

afterAll(async () => {
  await channel.close();
  await srv.stop(null);
});

describe('issue 20 item 4: checked requests, bigint int64 over loopback', () => {
  it('a wrong type or a misspelt field throws a TypeError from the stub; nothing is sent', () => {
    const client = stub(channel, calculator);
    expect(() => client.divide({ dividend: 'abc', divisor: 1n })).toThrow(
      new TypeError(
        'DivideRequest.dividend: expected an int64 (a bigint, integer number or decimal string from -2^63 to 2^63-1), got "abc"',
      ),
    );
    expect(() => client.divide({ dividend: 1n, divsor: 1n })).toThrow(
      /^DivideRequest\.divsor: unknown field/,
    );
    expect(received).toEqual([]);
  });

  it('the handler gets bigints and the client gets a bigint back', async () => {
    const client = stub(channel, calculator);
    expect(await client.divide({ dividend: 2n ** 62n, divisor: 2 }, { timeout: 5 })).toEqual({
      quotient: 2n ** 61n,
    });
    expect(received).toEqual([{ dividend: 2n ** 62n, divisor: 2n }]);
  });

  it('a bad message in a request stream ends the call INTERNAL with the TypeError as its details', async () => {
    const client = stub(channel, calculator);
    expect(await client.sum([{ dividend: 1n }, { dividend: '2' }], { timeout: 5 })).toEqual({ quotient: 3n });
    const call = client.sum([{ dividend: 1n }, { dividend: 'x' }], { timeout: 5 });
    const error = await Promise.resolve(call).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.INTERNAL);
    expect((error as AioRpcError).details()).toContain('DivideRequest.dividend: expected an int64');
  });

  it("a handler's bad response ends the RPC INTERNAL, naming the field", async () => {
    const client = stub(channel, calculator);
    const error = await Promise.resolve(client.divide({ dividend: 1n, divisor: 0n }, { timeout: 5 })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as AioRpcError).code()).toBe(StatusCode.INTERNAL);
    expect((error as AioRpcError).details()).toContain('DivideReply.quotient: expected an int64');
  });
});
