// The call-object contract, run against a real channel (to a raw grpc-js server) and a fake one:
// application code must not be able to tell them apart.
import type { Channel } from '@grpc-aio/core';
import { EOF, StatusCode } from '@grpc-aio/core';
import {
  AioRpcError,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  LOCALLY_CANCELLED,
  RPC_ALREADY_FINISHED,
} from '@grpc-aio/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The scripted service both sides implement, on string messages. */
export const Methods = {
  /** Initial `initial-key: iv`; echoes the request; trailing `trailing-key: tv`. */
  echo: '/test.Svc/Echo',
  /** Initial `initial-key: iv`; fails NOT_FOUND "no such thing" with trailing `trailing-key: tv`. */
  fail: '/test.Svc/Fail',
  /** Never answers. */
  hang: '/test.Svc/Hang',
  /** Request "n": responses "0".."n-1", then OK. */
  stream: '/test.Svc/Stream',
  /** Joins the requests with "," once the client half-closes. */
  upload: '/test.Svc/Upload',
  /** Echoes each request; ends OK when the client half-closes. */
  bidi: '/test.Svc/Bidi',
} as const;

const encode = (text: string): Uint8Array => Buffer.from(text);
const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

/** One side under test. */
export interface Harness {
  readonly channel: Channel;
  /** Lets `seconds` pass (real side: nothing, its deadlines run on their own; fake: advances time). */
  elapse(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export function callContract(name: string, setup: () => Promise<Harness>): void {
  describe(`call contract: ${name}`, () => {
    let harness: Harness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.close();
    });

    const echo = () => harness.channel.unaryUnary(Methods.echo, encode, decode);

    it('A24 await gives the response, cached; both metadata sets and status', async () => {
      const call = echo()('hello', { metadata: [['x-key', 'x']] });
      const response = await call;
      expect(response).toBe('hello');
      expect(await call).toBe(response);
      expect((await call.initialMetadata()).get('initial-key')).toBe('iv');
      expect((await call.trailingMetadata()).get('trailing-key')).toBe('tv');
      expect(await call.code()).toBe(StatusCode.OK);
      expect(call.done()).toBe(true);
      expect(call.cancelled()).toBe(false);
      expect(call.timeRemaining()).toBeUndefined();
    });

    it('A10 A24 a non-OK status rejects with AioRpcError carrying both metadata sets (cached)', async () => {
      const call = harness.channel.unaryUnary(Methods.fail, encode, decode)('x');
      const error = await call.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(AioRpcError);
      const rpcError = error as AioRpcError;
      expect(rpcError.code()).toBe(StatusCode.NOT_FOUND);
      expect(rpcError.details()).toBe('no such thing');
      expect(rpcError.initialMetadata().get('initial-key')).toBe('iv');
      expect(rpcError.trailingMetadata().get('trailing-key')).toBe('tv');
      await expect(call).rejects.toBe(error);
      expect(await call.details()).toBe('no such thing');
    });

    it('A20 cancel(): true once, CancelledError, code CANCELLED', async () => {
      const call = harness.channel.unaryUnary(Methods.hang, encode, decode)('x');
      expect(call.cancel()).toBe(true);
      expect(call.cancel()).toBe(false);
      await expect(call).rejects.toBeInstanceOf(CancelledError);
      expect(await call.code()).toBe(StatusCode.CANCELLED);
      expect(await call.details()).toBe(LOCALLY_CANCELLED);
      expect(call.cancelled()).toBe(true);
      expect(call.done()).toBe(true);
    });

    it('A23 deadlines: timeRemaining() counts down, DEADLINE_EXCEEDED when it passes', async () => {
      const call = harness.channel.unaryUnary(Methods.hang, encode, decode)('x', { timeout: 0.2 });
      const remaining = call.timeRemaining()!;
      expect(remaining).toBeGreaterThan(0.1);
      expect(remaining).toBeLessThanOrEqual(0.2);
      await harness.elapse(0.3);
      const error = (await call.then(
        () => undefined,
        (failure: unknown) => failure,
      )) as AioRpcError;
      expect(error).toBeInstanceOf(AioRpcError);
      expect(error.code()).toBe(StatusCode.DEADLINE_EXCEEDED);
      expect(call.timeRemaining()).toBe(0);
    });

    it('A22 done callbacks run once at the end, and at once when added later', async () => {
      const call = echo()('x');
      const seen: unknown[] = [];
      call.addDoneCallback((done) => seen.push(done));
      await call;
      expect(seen).toEqual([call]);
      call.addDoneCallback((done) => seen.push(done));
      expect(seen).toEqual([call, call]);
    });

    it('A25 unary-stream: read() gives responses then EOF, and EOF again', async () => {
      const call = harness.channel.unaryStream(Methods.stream, encode, decode)('3');
      expect(await call.read()).toBe('0');
      expect(await call.read()).toBe('1');
      expect(await call.read()).toBe('2');
      expect(await call.read()).toBe(EOF);
      expect(await call.read()).toBe(EOF);
      expect(await call.code()).toBe(StatusCode.OK);
    });

    it('A25 unary-stream: for await', async () => {
      const seen: string[] = [];
      for await (const response of harness.channel.unaryStream(Methods.stream, encode, decode)('2')) {
        seen.push(response);
      }
      expect(seen).toEqual(['0', '1']);
    });

    it('A26 A28 stream-unary: write, doneWriting, await; write after doneWriting is InvalidStateError', async () => {
      const call = harness.channel.streamUnary(Methods.upload, encode, decode)();
      await call.write('a');
      await call.write('b');
      await call.doneWriting();
      await expect(call.write('c')).rejects.toThrow(new InvalidStateError(HALF_CLOSED));
      expect(await call).toBe('a,b');
      await expect(call.write('d')).rejects.toThrow(new InvalidStateError(RPC_ALREADY_FINISHED));
    });

    it('A34 stream-unary with a request iterable', async () => {
      expect(await harness.channel.streamUnary(Methods.upload, encode, decode)(['x', 'y', 'z'])).toBe(
        'x,y,z',
      );
    });

    it('A27 stream-stream: interleaved write and read, EOF after doneWriting', async () => {
      const call = harness.channel.streamStream(Methods.bidi, encode, decode)();
      await call.write('one');
      expect(await call.read()).toBe('one');
      await call.write('two');
      expect(await call.read()).toBe('two');
      await call.doneWriting();
      expect(await call.read()).toBe(EOF);
      expect(await call.read()).toBe(EOF);
      expect(await call.code()).toBe(StatusCode.OK);
    });

    it('A20 A27 cancelling a stream-stream call: reads reject with CancelledError', async () => {
      const call = harness.channel.streamStream(Methods.bidi, encode, decode)();
      const pending = call.read();
      expect(call.cancel()).toBe(true);
      await expect(pending).rejects.toBeInstanceOf(CancelledError);
      await expect(call.read()).rejects.toBeInstanceOf(CancelledError);
      expect(await call.code()).toBe(StatusCode.CANCELLED);
    });
  });
}
