import { type ChannelTransport, ClientChannel } from '@grpc-aio/channel/internal';
import { type CallTelemetry, EOF } from '@grpc-aio/core';
import { FakeChannelTransport } from './fake-channel-transport.js';
import type {
  FakeChannelOptions,
  FakeHandler,
  StreamStreamChannelRpc,
  StreamUnaryChannelRpc,
  TakenStreamRequest,
  TakenUnaryRequest,
  TakeOptions,
  UnaryStreamChannelRpc,
  UnaryUnaryChannelRpc,
} from './fake-channel-types.js';
import type { FakeRpc } from './fake-rpc.js';
import { type MethodRef, methodPath } from './method-ref.js';
import { checkBooleanOption, checkFakeOptions } from './options.js';
import type { Time } from './time.js';

// The fake channel itself: FakeChannel (a ClientChannel over a FakeChannelTransport, with the
// test's take* and handle()) and fakeChannel(), which checks the options and makes one. The
// public types and constants are in fake-channel-types.ts.

/** The keys of {@link FakeChannelOptions}: anything else is refused. */
const FAKE_CHANNEL_OPTIONS = new Set(['time', 'codecs', 'takeTimeout', 'secure', 'telemetry']);

/**
 * A channel whose server is the test (Python's `grpc_testing.Channel`, async): application code
 * runs on it unchanged, and its calls are the real call objects of `@grpc-aio/channel` (same
 * errors, EOF, cancellation, deadlines, done callbacks).
 *
 * Messages pass by reference: the test takes the very request objects the application passed
 * (after the application's serializer ran on them, so serialization errors surface as in
 * production), and the response objects the test sends reach the application as they are (its
 * deserializer runs only on `Uint8Array` responses, which are wire bytes). Give `codecs` for a
 * method to round-trip its messages through bytes instead.
 */
export class FakeChannel extends ClientChannel {
  get #fake(): FakeChannelTransport {
    return this.transport as FakeChannelTransport;
  }

  /** @internal Use {@link fakeChannel}. */
  constructor(transport: ChannelTransport, telemetry?: CallTelemetry | null) {
    if (!(transport instanceof FakeChannelTransport))
      throw new TypeError('Use fakeChannel() to make a fake channel.');
    super(transport, telemetry == null ? undefined : { telemetry });
  }

  /** The clock of this channel's deadlines. */
  get time(): Time {
    return this.#fake.time;
  }

  /**
   * The next unary-unary call to `method` (waiting for it up to the take timeout), with its
   * metadata and request. @throws Error naming the calls made when none comes in time.
   */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  async takeUnaryUnary<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: TakeOptions,
  ): Promise<TakenUnaryRequest<TRequest, UnaryUnaryChannelRpc<TResponse>>> {
    return (await takeUnary(this.#fake, method, 'unaryUnary', options)) as never;
  }

  /** The next unary-stream call to `method`, with its metadata and request. */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  async takeUnaryStream<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: TakeOptions,
  ): Promise<TakenUnaryRequest<TRequest, UnaryStreamChannelRpc<TResponse>>> {
    return (await takeUnary(this.#fake, method, 'unaryStream', options)) as never;
  }

  /** The next stream-unary call to `method`; take its requests with `rpc.takeRequest()`. */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  async takeStreamUnary<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: TakeOptions,
  ): Promise<TakenStreamRequest<StreamUnaryChannelRpc<TRequest, TResponse>>> {
    const rpc = await this.#fake.take(methodPath(method), 'streamUnary', options);
    return { invocationMetadata: rpc.invocationMetadata, rpc: rpc as never };
  }

  /** The next stream-stream call to `method`; take its requests with `rpc.takeRequest()`. */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  async takeStreamStream<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: TakeOptions,
  ): Promise<TakenStreamRequest<StreamStreamChannelRpc<TRequest, TResponse>>> {
    const rpc = await this.#fake.take(methodPath(method), 'streamStream', options);
    return { invocationMetadata: rpc.invocationMetadata, rpc: rpc as never };
  }

  /**
   * Scripted mode: every call to `method` (including ones already waiting to be taken) runs
   * `handler`. Replaces an earlier handler of `method`. @returns this channel, for chaining.
   */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  handle<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    handler: FakeHandler<TRequest, TResponse>,
  ): this {
    const path = methodPath(method);
    if (typeof handler !== 'function') throw new TypeError('A handler must be a function.');
    this.#fake.handle(path, handler as FakeHandler);
    return this;
  }
}

/** The next unary-request call of `kind` to `method`, with its request. */
async function takeUnary<TRequest, TResponse>(
  fake: FakeChannelTransport,
  method: MethodRef<TRequest, TResponse>,
  kind: 'unaryUnary' | 'unaryStream',
  options: TakeOptions | undefined,
): Promise<TakenUnaryRequest<unknown, FakeRpc>> {
  const rpc = await fake.take(methodPath(method), kind, options);
  const request = await rpc.nextRequest();
  if (request === EOF) throw new Error(`The call to ${rpc.method} sent no request.`);
  return { invocationMetadata: rpc.invocationMetadata, request, rpc };
}

/**
 * A fake channel (Python's `grpc_testing.channel(descriptors, time)`): the test plays the server,
 * per call with `take*` or with `handle()`. Close it as any channel (`await using` works).
 */
export function fakeChannel(options: FakeChannelOptions = {}): FakeChannel {
  checkFakeOptions('fakeChannel()', options, FAKE_CHANNEL_OPTIONS);
  checkBooleanOption('fakeChannel()', 'secure', options.secure);
  if (options.codecs != null && typeof options.codecs !== 'object')
    throw new TypeError('fakeChannel() option codecs must be an object of MethodCodecs by method path.');
  return new FakeChannel(new FakeChannelTransport(options), options.telemetry);
}
