import { UnaryUnaryCallImpl } from '@grpc-aio/channel/internal';
import { StatusCode } from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AioRpcError,
  CancelledError,
  INITIAL_METADATA_ALREADY_SENT,
  RPC_ALREADY_FINISHED,
  Status,
  UsageError,
} from '@grpc-aio/errors';
import { interceptChannel, metadataInterceptor } from '@grpc-aio/interceptors/client';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_DEADLINE_EXCEEDED, FAKE_PEER, type FakeChannel, fakeChannel } from '../src/index.js';
import { strictFakeTime } from '../src/time.js';

interface Greeting {
  name: string;
}
const encodeJson = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape, read by the tests
const decodeJson = (bytes: Uint8Array): any => JSON.parse(Buffer.from(bytes).toString());

const SAY = '/helloworld.Greeter/SayHello';
const LIST = '/helloworld.Greeter/List';
const UPLOAD = '/helloworld.Greeter/Upload';
const CHAT = '/helloworld.Greeter/Chat';

let channel: FakeChannel;
afterEach(async () => {
  await channel.close();
});

async function failure(promise: PromiseLike<unknown>): Promise<AioRpcError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AioRpcError);
  return error as AioRpcError;
}

describe('fakeChannel: the test takes each call', () => {
  it('A78 takeUnaryUnary gives the request object the application passed, and its metadata', async () => {
    channel = fakeChannel();
    const request: Greeting = { name: 'ada' };
    const call = channel.unaryUnary<Greeting, { message: string }>(
      SAY,
      encodeJson,
      decodeJson,
    )(request, {
      metadata: [['k', 'v']],
    });
    const { invocationMetadata, request: taken, rpc } = await channel.takeUnaryUnary(SAY);
    expect(taken).toBe(request);
    expect(invocationMetadata.get('k')).toBe('v');
    expect(rpc.method).toBe(SAY);
    rpc.sendInitialMetadata([['initial', 'i']]);
    const response = { message: 'hi ada' };
    rpc.terminate(response, [['trailing', 't']], StatusCode.OK, 'fine');
    expect(await call).toBe(response);
    expect((await call.initialMetadata()).get('initial')).toBe('i');
    expect((await call.trailingMetadata()).get('trailing')).toBe('t');
    expect(await call.details()).toBe('fine');
    expect(call.peer()).toBe(FAKE_PEER);
    expect(call).toBeInstanceOf(UnaryUnaryCallImpl);
  });

  it('A78 a take waits for a call made later', async () => {
    channel = fakeChannel();
    const taking = channel.takeUnaryUnary(SAY);
    const call = channel.unaryUnary(SAY)(Buffer.from('raw'));
    const { request, rpc } = await taking;
    expect(Buffer.from(request).toString()).toBe('raw');
    rpc.terminate(Buffer.from('back'));
    expect(Buffer.from(await call).toString()).toBe('back');
  });

  it('A78 a take for a method nobody called fails after its timeout, naming the calls made', async () => {
    channel = fakeChannel({ takeTimeout: 0.01 });
    await expect(channel.takeUnaryUnary(SAY)).rejects.toThrow(
      `takeUnaryUnary('${SAY}') timed out: no call to ${SAY} was made; no call was made on this channel.`,
    );
    const call = channel.unaryStream(LIST)(new Uint8Array());
    channel.unaryStream(LIST)(new Uint8Array());
    await expect(channel.takeUnaryUnary(SAY, { timeout: 0.01 })).rejects.toThrow(
      `takeUnaryUnary('${SAY}') timed out: no call to ${SAY} was made; calls made: ${LIST} (2).`,
    );
    await expect(channel.takeUnaryUnary(LIST)).rejects.toThrow(
      `takeUnaryUnary('${LIST}') found a unaryStream call to ${LIST}; take it with takeUnaryStream().`,
    );
    call.cancel();
  });

  it('A78 unary-stream: sendResponse then terminate with a status; the error keeps both metadata sets', async () => {
    channel = fakeChannel();
    const call = channel.unaryStream<string, string>(LIST, encodeJson, decodeJson)('q');
    const { request, rpc } = await channel.takeUnaryStream(LIST);
    expect(request).toBe('q');
    rpc.sendResponse('a');
    rpc.sendResponse('b');
    expect(await call.read()).toBe('a');
    expect(await call.read()).toBe('b');
    rpc.terminate([['why', 'gone']], StatusCode.NOT_FOUND, 'gone');
    const error = await failure(call.read());
    expect(error.details()).toBe('gone');
    expect(error.trailingMetadata().get('why')).toBe('gone');
    expect(() => rpc.sendResponse('late')).toThrow(new UsageError(RPC_ALREADY_FINISHED));
    expect(() => rpc.terminate()).toThrow(new UsageError(RPC_ALREADY_FINISHED));
  });

  it('A78 stream-unary: takeRequest, requestsClosed, then terminate with the response', async () => {
    channel = fakeChannel();
    const call = channel.streamUnary<string, number>(UPLOAD, encodeJson, decodeJson)();
    const { rpc } = await channel.takeStreamUnary(UPLOAD);
    await call.write('a');
    expect(await rpc.takeRequest()).toBe('a');
    const next = rpc.takeRequest();
    await call.write('b');
    expect(await next).toBe('b');
    await call.doneWriting();
    await rpc.requestsClosed();
    await expect(rpc.takeRequest()).rejects.toThrow(
      `takeRequest() on ${UPLOAD}: the client closed its request stream.`,
    );
    rpc.terminate(2);
    expect(await call).toBe(2);
  });

  it('A78 stream-stream: the test sees the client cancel', async () => {
    channel = fakeChannel();
    const call = channel.streamStream<string, string>(CHAT, encodeJson, decodeJson)();
    const { rpc } = await channel.takeStreamStream(CHAT);
    await call.write('hello');
    expect(await rpc.takeRequest()).toBe('hello');
    rpc.sendResponse('hi');
    expect(await call.read()).toBe('hi');
    expect(rpc.isCancelled()).toBe(false);
    call.cancel();
    await rpc.cancelled();
    expect(rpc.isCancelled()).toBe(true);
    rpc.sendResponse('ignored'); // the server side may race a cancel
    await expect(call.read()).rejects.toBeInstanceOf(CancelledError);
  });

  it('A78 sendInitialMetadata twice is a UsageError; a bad code or details a TypeError', async () => {
    channel = fakeChannel();
    const call = channel.unaryUnary(SAY)(new Uint8Array([1]));
    const { rpc } = await channel.takeUnaryUnary(SAY);
    rpc.sendInitialMetadata([]);
    expect(() => rpc.sendInitialMetadata([])).toThrow(new UsageError(INITIAL_METADATA_ALREADY_SENT));
    expect(() => rpc.terminate(undefined, [], 99 as StatusCode)).toThrow(
      'terminate() needs a StatusCode, got 99.',
    );
    rpc.terminate(undefined);
    const error = await failure(call);
    expect(error.code()).toBe(StatusCode.UNIMPLEMENTED);
    expect(error.details()).toBe('No message received');
  });

  it('A23 A78 deadlines follow fake time: timeRemaining reads it, advancing past the deadline ends the call', async () => {
    const time = strictFakeTime(100);
    channel = fakeChannel({ time });
    const call = channel.unaryUnary(SAY)(new Uint8Array(), { timeout: 10 });
    const { rpc } = await channel.takeUnaryUnary(SAY);
    expect(call.timeRemaining()).toBe(10);
    expect(rpc.timeRemaining()).toBe(10);
    await time.advance(4);
    expect(call.timeRemaining()).toBe(6);
    expect(call.done()).toBe(false);
    await time.advance(6);
    const error = await failure(call);
    expect(error.code()).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(error.details()).toBe(FAKE_DEADLINE_EXCEEDED);
    expect(rpc.isCancelled()).toBe(true);
    expect(time.pendingCount).toBe(0);
  });

  it('A78 a Uint8Array response is wire bytes: the application deserializer decodes it', async () => {
    channel = fakeChannel();
    const call = channel.unaryUnary(SAY, encodeJson, decodeJson)({ name: 'x' });
    const { rpc } = await channel.takeUnaryUnary(SAY);
    rpc.terminate(encodeJson({ decoded: true }));
    expect(await call).toEqual({ decoded: true });
  });

  it('A63 A78 client interceptors run over a fake channel as over a real one', async () => {
    channel = fakeChannel();
    const intercepted = interceptChannel(channel, metadataInterceptor([['authorization', 'Bearer t']]));
    const call = intercepted.unaryUnary<string, string>(SAY, encodeJson, decodeJson)('x');
    const { invocationMetadata, rpc } = await channel.takeUnaryUnary(SAY);
    expect(invocationMetadata.get('authorization')).toBe('Bearer t');
    rpc.terminate('y');
    expect(await call).toBe('y');
  });

  it('A78 requestsClosed() and cancelled() fail after the take timeout instead of hanging', async () => {
    channel = fakeChannel({ takeTimeout: 0.01 });
    const call = channel.streamStream(CHAT)();
    const { rpc } = await channel.takeStreamStream(CHAT);
    await expect(rpc.requestsClosed()).rejects.toThrow(
      `requestsClosed() on ${CHAT} timed out: the client did not close its request stream.`,
    );
    await expect(rpc.cancelled()).rejects.toThrow(
      `cancelled() on ${CHAT} timed out: the client did not cancel the call.`,
    );
    await expect(rpc.takeRequest()).rejects.toThrow(
      `takeRequest() on ${CHAT} timed out: the client sent no further request.`,
    );
    call.cancel();
    await rpc.cancelled();
    await expect(rpc.requestsClosed()).rejects.toThrow(
      `The call to ${CHAT} ended before its requests were closed.`,
    );
  });

  it('A78 codecs: messages round-trip through bytes', async () => {
    channel = fakeChannel({
      codecs: { [SAY]: { requestDeserializer: decodeJson, responseSerializer: encodeJson } },
    });
    const request = { name: 'x' };
    const call = channel.unaryUnary(SAY, encodeJson, decodeJson)(request);
    const { request: taken, rpc } = await channel.takeUnaryUnary(SAY);
    expect(taken).toEqual(request);
    expect(taken).not.toBe(request);
    const response = { ok: true };
    rpc.terminate(response);
    expect(await call).toEqual(response);
    expect(await call).not.toBe(response);
  });

  it('A78 a request serializer that throws fails the call as on a real channel; the take sees it end', async () => {
    channel = fakeChannel();
    const call = channel.unaryUnary<string, string>(SAY, () => {
      throw new Error('cannot');
    })('x');
    const error = await failure(call);
    expect(error.code()).toBe(StatusCode.INTERNAL);
    expect(error.details()).toBe('Request message serialization failure: cannot');
    await expect(channel.takeUnaryUnary(SAY)).rejects.toThrow(`The call to ${SAY} has ended.`);
  });
});

describe('fake options', () => {
  it('fakeChannel() and serverFromHandlers() refuse options they do not take, naming them', async () => {
    expect(() => fakeChannel({ timeout: 1 } as never)).toThrow(
      new TypeError(
        "fakeChannel() does not take the option 'timeout'; it takes 'time', 'codecs', 'takeTimeout', 'secure', 'telemetry'.",
      ),
    );
    const { serverFromHandlers } = await import('../src/servicer-harness.js');
    expect(() => serverFromHandlers([], { takeTimeOut: 1 } as never)).toThrow(
      "serverFromHandlers() does not take the option 'takeTimeOut'",
    );
  });

  it('fakeChannel() refuses option values of the wrong type, naming the option', () => {
    expect(() => fakeChannel({ secure: 'yes' } as never)).toThrow(
      new TypeError('fakeChannel() option secure must be a boolean, got string.'),
    );
    expect(() => fakeChannel({ takeTimeout: '2' } as never)).toThrow(
      new TypeError("fakeChannel() option takeTimeout must be a number of seconds >= 0, got '2'."),
    );
    expect(() => fakeChannel({ time: 0 } as never)).toThrow(
      new TypeError('fakeChannel() option time must be a Time (strictFakeTime(), strictRealTime()).'),
    );
  });

  it('take*() and takeRequest() refuse options they do not take, naming them', async () => {
    channel = fakeChannel();
    await expect(channel.takeUnaryUnary(SAY, { timeoutMs: 10 } as never)).rejects.toThrow(
      new TypeError(
        "takeUnaryUnary() does not take the option 'timeoutMs' (give timeout, in seconds); it takes 'timeout'.",
      ),
    );
    const call = channel.streamUnary(SAY)();
    const { rpc } = await channel.takeStreamUnary(SAY);
    await expect(rpc.takeRequest({ wait: 1 } as never)).rejects.toThrow(
      new TypeError("takeRequest() does not take the option 'wait'; it takes 'timeout'."),
    );
    call.cancel();
  });
});

describe('fakeChannel: scripted handlers', () => {
  it('A78 handle(): context gives metadata, time remaining, and sets trailing metadata and details', async () => {
    const time = strictFakeTime(0);
    channel = fakeChannel({ time }).handle(SAY, async (request: Greeting, context) => {
      context.setTrailingMetadata([['t', String(context.timeRemaining())]]);
      context.setDetails('done');
      return { message: `hi ${request.name} from ${context.invocationMetadata().get('who')}` };
    });
    const call = channel.unaryUnary(
      SAY,
      encodeJson,
      decodeJson,
    )({ name: 'ada' }, { timeout: 3, metadata: [['who', 'me']] });
    expect(await call).toEqual({ message: 'hi ada from me' });
    expect((await call.trailingMetadata()).get('t')).toBe('3');
    expect(await call.details()).toBe('done');
  });

  it('A78 handlers end with a thrown AioRpcError or Status, UNKNOWN for anything else', async () => {
    let thrown: unknown;
    channel = fakeChannel().handle(SAY, () => {
      throw thrown;
    });
    const say = channel.unaryUnary<string, string>(SAY, encodeJson, decodeJson);
    thrown = new Status(StatusCode.PERMISSION_DENIED, 'nope', [['r', '1']]);
    let error = await failure(say('x'));
    expect([error.code(), error.details(), error.trailingMetadata().get('r')]).toEqual([
      StatusCode.PERMISSION_DENIED,
      'nope',
      '1',
    ]);
    thrown = new TypeError('bad');
    error = await failure(say('x'));
    expect([error.code(), error.details()]).toEqual([StatusCode.UNKNOWN, 'Unexpected TypeError: bad']);
  });

  it('A51 A55 abort() ends at once (second abort is a UsageError); setCode drops the response', async () => {
    const seen: unknown[] = [];
    channel = fakeChannel()
      .handle(SAY, async (_request, context) => {
        try {
          context.abort(StatusCode.FAILED_PRECONDITION, 'stop');
        } catch (error) {
          seen.push(error);
        }
        try {
          context.abort(StatusCode.INTERNAL);
        } catch (error) {
          seen.push(error);
        }
        return 'swallowed';
      })
      .handle(LIST, async function* (_request, context) {
        yield 'one';
        context.setCode(StatusCode.ABORTED);
        context.setDetails('partial');
      });
    const error = await failure(channel.unaryUnary(SAY)(new Uint8Array()));
    expect([error.code(), error.details()]).toEqual([StatusCode.FAILED_PRECONDITION, 'stop']);
    expect(seen[1]).toEqual(new UsageError(ABORT_ALREADY_CALLED));
    const list = channel.unaryStream<string, string>(LIST, encodeJson, decodeJson)('x');
    expect(await list.read()).toBe('one');
    const listError = await failure(list.read());
    expect([listError.code(), listError.details()]).toEqual([StatusCode.ABORTED, 'partial']);
  });

  it('A78 handle() takes over calls already waiting; write() streams too', async () => {
    channel = fakeChannel();
    const call = channel.streamStream<string, string>(CHAT, encodeJson, decodeJson)(['a', 'b']);
    channel.handle(CHAT, async (requests: AsyncIterable<string>, context) => {
      for await (const request of requests) context.write(request.toUpperCase());
    });
    const seen: string[] = [];
    for await (const response of call) seen.push(response);
    expect(seen).toEqual(['A', 'B']);
  });

  it('A60 the handler signal aborts when the client cancels', async () => {
    let signal: AbortSignal | undefined;
    channel = fakeChannel().handle(SAY, (_request, context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    const call = channel.unaryUnary(SAY)(new Uint8Array());
    await expect.poll(() => signal).toBeDefined();
    expect(signal!.aborted).toBe(false);
    call.cancel();
    expect(signal!.aborted).toBe(true);
    await expect(call).rejects.toBeInstanceOf(CancelledError);
  });

  it('A37 closing the channel cancels its calls; the channel then refuses new ones', async () => {
    channel = fakeChannel();
    const call = channel.unaryStream(LIST)(new Uint8Array());
    const { rpc } = await channel.takeUnaryStream(LIST);
    await channel.close();
    await rpc.cancelled();
    expect(await call.code()).toBe(StatusCode.CANCELLED);
    expect(() => channel.unaryUnary(SAY)(new Uint8Array())).toThrow(UsageError);
    expect(await call.read().catch((error: unknown) => error)).toBeInstanceOf(CancelledError);
  });
});

describe('telemetry (issue 19: the fakes record what real channels record)', () => {
  it('a fake channel reports its calls to the telemetry given as an option, or registered globally', async () => {
    const { deregisterTelemetry, registerTelemetry } = await import('@grpc-aio/core');
    const events: string[] = [];
    const telemetry = {
      clientCall: (info: { method: string; target: string }) => {
        events.push(`start ${info.method} ${info.target}`);
        return {
          attempt: () => ({
            onAttemptStart: <T>(metadata: T): T => metadata,
            onSent: (bytes: number) => events.push(`sent ${bytes}`),
            onReceived: (bytes: number) => events.push(`received ${bytes}`),
            onAttemptEnd: (code: StatusCode) => events.push(`attempt end ${code}`),
          }),
          onCallEnd: (code: StatusCode) => events.push(`end ${code}`),
        };
      },
    };
    const own = fakeChannel({ telemetry }).handle('/a.B/C', () => Buffer.from('hi'));
    try {
      expect(String(await own.unaryUnary('/a.B/C')(Buffer.from('x')))).toBe('hi');
    } finally {
      await own.close();
    }
    expect(events).toEqual([
      'start /a.B/C unknown',
      'sent 1',
      'received 2',
      `attempt end ${StatusCode.OK}`,
      `end ${StatusCode.OK}`,
    ]);
    events.length = 0;
    registerTelemetry(telemetry);
    const global = fakeChannel().handle('/a.B/C', () => Buffer.from('hi'));
    try {
      await global.unaryUnary('/a.B/C')(Buffer.from('x'));
    } finally {
      deregisterTelemetry(telemetry);
      await global.close();
    }
    expect(events).toEqual([
      'start /a.B/C unknown',
      'sent 1',
      'received 2',
      `attempt end ${StatusCode.OK}`,
      `end ${StatusCode.OK}`,
    ]);
  });
});
