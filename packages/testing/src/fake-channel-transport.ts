import type { CallTransport, ChannelTransport } from '@grpc-aio/channel/internal';
import { type CallKind, type CallOptions, ChannelConnectivity, type Clock } from '@grpc-aio/core';
import { CHANNEL_CLOSED, UsageError } from '@grpc-aio/errors';
import { bounded, deferred } from './deferred.js';
import {
  DEFAULT_TAKE_TIMEOUT,
  type FakeChannelOptions,
  type FakeHandler,
  type MethodCodecs,
  type RpcKind,
  type TakeOptions,
} from './fake-channel-types.js';
import { FakeRpc, type RpcChannel } from './fake-rpc.js';
import { takeTimeoutOf } from './options.js';
import { startHandler } from './scripted-handler.js';
import { clockOf, strictRealTime, type Time } from './time.js';

// The transport under a FakeChannel: it makes a FakeRpc per call, and hands each one that starts
// to the scripted handler of its method, to a take waiting for it, or to the queue of calls to
// take. It also keeps the channel's state (READY until closed) and clock.

const TAKE_NAMES: Record<RpcKind, string> = {
  unaryUnary: 'takeUnaryUnary',
  unaryStream: 'takeUnaryStream',
  streamUnary: 'takeStreamUnary',
  streamStream: 'takeStreamStream',
};

interface Taker {
  readonly method: string;
  readonly resolve: (rpc: FakeRpc) => void;
}

/** The {@link ChannelTransport} of a fake channel. */
export class FakeChannelTransport implements ChannelTransport, RpcChannel {
  readonly secure: boolean;
  readonly time: Time;
  readonly codecs: Readonly<Record<string, MethodCodecs>> | undefined;
  readonly takeTimeout: number;
  #clock: Clock | undefined;
  #waiting: FakeRpc[] = [];
  #takers: Taker[] = [];
  readonly #handlers = new Map<string, FakeHandler>();
  readonly #calls: string[] = [];
  readonly #live = new Set<FakeRpc>();
  #closed = false;
  #watchers: (() => void)[] = [];

  constructor(options: FakeChannelOptions) {
    this.time = options.time ?? strictRealTime();
    this.codecs = options.codecs;
    this.secure = options.secure ?? false;
    this.takeTimeout = options.takeTimeout ?? DEFAULT_TAKE_TIMEOUT;
  }

  /** The fake time, as the channel's clock (deadlines, `timeRemaining()`, interceptors). */
  get clock(): Clock {
    this.#clock ??= clockOf(this.time);
    return this.#clock;
  }

  createCall(
    method: string,
    deadline: number,
    _options: CallOptions | undefined,
    kind: CallKind,
  ): CallTransport {
    const rpc = new FakeRpc(this, method, kind, deadline);
    this.#live.add(rpc);
    return rpc;
  }

  getState(): ChannelConnectivity {
    return this.#closed ? ChannelConnectivity.SHUTDOWN : ChannelConnectivity.READY;
  }

  watchState(currentState: ChannelConnectivity, callback: () => void): void {
    if (this.getState() !== currentState) queueMicrotask(callback);
    else this.#watchers.push(callback);
  }

  close(): void {
    this.#closed = true;
    const watchers = this.#watchers;
    this.#watchers = [];
    for (const watcher of watchers) watcher();
  }

  // ---- takes and handlers --------------------------------------------------------------------

  arrived(rpc: FakeRpc): void {
    this.#calls.push(rpc.method);
    const handler = this.#handlers.get(rpc.method);
    if (handler !== undefined) {
      startHandler(rpc, handler);
      return;
    }
    const index = this.#takers.findIndex((taker) => taker.method === rpc.method);
    if (index >= 0) {
      const [taker] = this.#takers.splice(index, 1);
      taker!.resolve(rpc);
      return;
    }
    this.#waiting.push(rpc);
  }

  forget(rpc: FakeRpc): void {
    this.#live.delete(rpc);
  }

  handle(method: string, handler: FakeHandler): void {
    this.#handlers.set(method, handler);
    const waiting = this.#waiting.filter((rpc) => rpc.method === method);
    this.#waiting = this.#waiting.filter((rpc) => rpc.method !== method);
    for (const rpc of waiting) startHandler(rpc, handler);
  }

  async take(method: string, kind: RpcKind, options: TakeOptions | undefined): Promise<FakeRpc> {
    const name = TAKE_NAMES[kind];
    const timeout = takeTimeoutOf(`${name}()`, options);
    const index = this.#waiting.findIndex((rpc) => rpc.method === method);
    let rpc: FakeRpc;
    if (index >= 0) {
      rpc = this.#waiting.splice(index, 1)[0]!;
    } else {
      if (this.#closed) throw new UsageError(CHANNEL_CLOSED);
      const arrival = deferred<FakeRpc>();
      const taker: Taker = { method, resolve: arrival.resolve };
      this.#takers.push(taker);
      try {
        rpc = await this.bounded(arrival.promise, timeout, () => this.#noCall(name, method));
      } finally {
        this.#takers = this.#takers.filter((entry) => entry !== taker);
      }
    }
    if (rpc.kind !== kind) {
      throw new TypeError(
        `${name}('${method}') found a ${rpc.kind} call to ${method}; take it with ${TAKE_NAMES[rpc.kind]}().`,
      );
    }
    return rpc;
  }

  #noCall(name: string, method: string): string {
    const counts = new Map<string, number>();
    for (const called of this.#calls) counts.set(called, (counts.get(called) ?? 0) + 1);
    const made =
      counts.size === 0
        ? 'no call was made on this channel'
        : `calls made: ${[...counts].map(([path, count]) => `${path} (${count})`).join(', ')}`;
    return `${name}('${method}') timed out: no call to ${method} was made; ${made}.`;
  }

  /** `promise`, or a rejection with `message()` after `timeout` seconds of real time. */
  bounded<T>(promise: Promise<T>, timeout: number | undefined, message: () => string): Promise<T> {
    const seconds = timeout ?? this.takeTimeout;
    if (typeof seconds !== 'number' || !(seconds >= 0)) {
      return Promise.reject(new RangeError('timeout must be a non-negative number of seconds.'));
    }
    return bounded(promise, seconds, message);
  }
}
