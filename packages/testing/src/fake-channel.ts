import {
  type CallTransport,
  type ChannelTransport,
  ClientChannel,
  type TransportListener,
  type TransportStatus,
} from '@grpc-aio/channel/internal';
import {
  type CallKind,
  type CallOptions,
  type CallTelemetry,
  ChannelConnectivity,
  type Clock,
  type Deserializer,
  EOF,
  isStatusCode,
  type Serializer,
  StatusCode,
} from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  CHANNEL_CLOSED,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { WRITE_ON_UNARY_RESPONSE } from '@grpc-aio/server';
import { bounded, type Deferred, deferred, Inbox } from './deferred.js';
import { type MethodRef, methodPath } from './method-ref.js';
import { checkBooleanOption, checkFakeOptions, takeTimeoutOf } from './options.js';
import { describeThrown, thrownStatus } from './thrown-status.js';
import { clockOf, type ScheduledCall, strictRealTime, type Time } from './time.js';

/** The four kinds of RPC (`CallKind` of `@grpc-aio/core`). */
export type RpcKind = CallKind;

/** The details of a call whose deadline passed on a fake channel (C-core's wording). */
export const FAKE_DEADLINE_EXCEEDED = 'Deadline Exceeded';
/** What `peer()` of a call on a fake channel returns. */
export const FAKE_PEER = 'fake';
/**
 * The take timeout, in seconds of real time, when none is given: well under test runners' own
 * timeouts (vitest's and Jest's 5 s), so that a take for a call that never comes fails with its own
 * message (naming the calls that were made), not with the runner's "Test timed out".
 */
export const DEFAULT_TAKE_TIMEOUT = 1;

/**
 * Codecs of one method for a true wire round trip: requests are decoded from the bytes the
 * application's serializer made, responses encoded to bytes the application's deserializer reads.
 */
export interface MethodCodecs {
  readonly requestDeserializer?: Deserializer<unknown> | null | undefined;
  readonly responseSerializer?: Serializer<never> | null | undefined;
}

/** Options of {@link fakeChannel}. */
export interface FakeChannelOptions {
  /** The clock of deadlines and `timeRemaining()` (default {@link strictRealTime}). */
  time?: Time | undefined;
  /** Per method path, codecs for a wire round trip (default: messages pass by reference). */
  codecs?: Readonly<Record<string, MethodCodecs>> | undefined;
  /** Seconds of real time a `take*` waits for its call (default {@link DEFAULT_TAKE_TIMEOUT}). */
  takeTimeout?: number | undefined;
  /** Pretend to be a secure channel, so that call credentials are accepted (default false). */
  secure?: boolean | undefined;
  /**
   * Telemetry for this channel's calls (an `OpenTelemetryPlugin`), in place of the globally
   * registered one: the fake channel records the same telemetry as a real one (its target is
   * `unknown`; sizes are the serialized sizes when `codecs` are given, else 0).
   */
  telemetry?: CallTelemetry | null | undefined;
}

/** Options of a `take*` call. */
export interface TakeOptions {
  /** Seconds of real time to wait for the call (default: the channel's `takeTimeout`). */
  timeout?: number | undefined;
}

/** The server side of one RPC on a fake channel, as the test plays it. */
interface ChannelRpcBase {
  /** The method path. */
  readonly method: string;
  /** The metadata the client sent. */
  readonly invocationMetadata: Metadata;
  /** Seconds to the call's deadline on the channel's clock, or undefined without one. */
  timeRemaining(): number | undefined;
  /**
   * Sends the server's initial metadata (at most once; it goes out with the first response
   * otherwise). @throws UsageError when already sent.
   */
  sendInitialMetadata(initialMetadata: MetadataLike): void;
  /**
   * Resolves once the client cancelled the RPC or its deadline passed.
   * @throws Error when that does not happen within the take timeout.
   */
  cancelled(): Promise<void>;
  /** True once the client cancelled the RPC or its deadline passed. */
  isCancelled(): boolean;
}

/** Sends responses of a response-streaming RPC. */
interface StreamingResponses<TResponse> {
  /**
   * Sends one response (a `Uint8Array` is sent as wire bytes, anything else by reference).
   * Ignored once the client cancelled. @throws UsageError after `terminate()`.
   */
  sendResponse(response: TResponse): void;
  /** Ends the RPC (default OK, no trailing metadata, empty details). */
  terminate(trailingMetadata?: MetadataLike, code?: StatusCode, details?: string): void;
}

/** Ends a unary-response RPC. */
interface UnaryResponse<TResponse> {
  /**
   * Ends the RPC: with an OK code, sends `response` first (undefined sends none, which the client
   * reports as UNIMPLEMENTED "No message received"). @throws UsageError when already terminated.
   */
  terminate(response?: TResponse, trailingMetadata?: MetadataLike, code?: StatusCode, details?: string): void;
}

/** Receives the requests of a request-streaming RPC. */
interface StreamingRequests<TRequest> {
  /**
   * The next request. @throws Error when the client closed its request stream without another one,
   * the RPC ended, or none arrives within the take timeout.
   */
  takeRequest(options?: TakeOptions): Promise<TRequest>;
  /**
   * Resolves once the client half-closed its request stream; rejects if the RPC ended first or
   * within the take timeout it did not.
   */
  requestsClosed(): Promise<void>;
}

/** A unary-unary RPC (Python's `grpc_testing.UnaryUnaryChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface UnaryUnaryChannelRpc<TResponse = any> extends ChannelRpcBase, UnaryResponse<TResponse> {}
/** A unary-stream RPC (Python's `grpc_testing.UnaryStreamChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface UnaryStreamChannelRpc<TResponse = any>
  extends ChannelRpcBase,
    StreamingResponses<TResponse> {}
/** A stream-unary RPC (Python's `grpc_testing.StreamUnaryChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface StreamUnaryChannelRpc<TRequest = any, TResponse = any>
  extends ChannelRpcBase,
    StreamingRequests<TRequest>,
    UnaryResponse<TResponse> {}
/** A stream-stream RPC (Python's `grpc_testing.StreamStreamChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface StreamStreamChannelRpc<TRequest = any, TResponse = any>
  extends ChannelRpcBase,
    StreamingRequests<TRequest>,
    StreamingResponses<TResponse> {}

/** What `takeUnaryUnary`/`takeUnaryStream` give. */
export interface TakenUnaryRequest<TRequest, TRpc> {
  readonly invocationMetadata: Metadata;
  readonly request: TRequest;
  readonly rpc: TRpc;
}
/** What `takeStreamUnary`/`takeStreamStream` give. */
export interface TakenStreamRequest<TRpc> {
  readonly invocationMetadata: Metadata;
  readonly rpc: TRpc;
}

/** What a handler of the scripted mode ({@link FakeChannel.handle}) can do. */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface FakeHandlerContext<TResponse = any> {
  /** The method path. */
  readonly method: string;
  /** The metadata the client sent. */
  invocationMetadata(): Metadata;
  /** Seconds to the call's deadline on the channel's clock, or undefined without one. */
  timeRemaining(): number | undefined;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** True once the client cancelled (or the deadline passed). */
  cancelled(): boolean;
  /** Sends initial metadata now (once). */
  sendInitialMetadata(initialMetadata: MetadataLike): void;
  /** Sends one response of a response-streaming RPC (instead of yielding it). */
  write(response: TResponse): void;
  /** Trailing metadata for the end of the RPC. */
  setTrailingMetadata(trailingMetadata: MetadataLike): void;
  /** The code to end with when the handler returns (a non-OK code drops the response). */
  setCode(code: StatusCode): void;
  /** The details to end with when the handler returns. */
  setDetails(details: string): void;
  /** Ends the RPC now with this status and throws AbortError (let it propagate). */
  abort(code: StatusCode, details?: string, trailingMetadata?: MetadataLike): never;
}

/**
 * A handler of the scripted mode. `request` is the request (unary-request methods) or an
 * `AsyncIterable` of them (request-streaming methods). Unary-response methods return the response;
 * response-streaming ones yield (async generator), return an iterable, or `context.write()`. Throw
 * an `AioRpcError` or a `Status` to end with its status; anything else ends UNKNOWN.
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export type FakeHandler<TRequest = any, TResponse = any> = (
  request: TRequest,
  context: FakeHandlerContext<TResponse>,
) => unknown;

/** The keys of {@link FakeChannelOptions}: anything else is refused. */
const FAKE_CHANNEL_OPTIONS = new Set(['time', 'codecs', 'takeTimeout', 'secure', 'telemetry']);

const TAKE_NAMES: Record<RpcKind, string> = {
  unaryUnary: 'takeUnaryUnary',
  unaryStream: 'takeUnaryStream',
  streamUnary: 'takeStreamUnary',
  streamStream: 'takeStreamStream',
};

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

/** The bytes of a message that passes by reference. */
const NO_BYTES = new Uint8Array(0);

type Outgoing =
  | { readonly kind: 'metadata'; readonly metadata: Metadata }
  | { readonly kind: 'message'; readonly bytes: Uint8Array; readonly decoded?: { readonly value: unknown } }
  | { readonly kind: 'status'; readonly status: TransportStatus };

/** One RPC of a fake channel: the call object's transport, and the test's handle on it. */
class FakeRpc implements CallTransport {
  readonly method: string;
  readonly kind: RpcKind;
  invocationMetadata: Metadata = new Metadata();
  readonly #channel: FakeChannelTransport;
  readonly #deadline: number;
  readonly #codecs: MethodCodecs | undefined;
  #timer: ScheduledCall | undefined;
  #listener: TransportListener | undefined;

  readonly #requests = new Inbox<unknown>();
  #halfClosed = false;
  #closedWaiter: Deferred<void> | undefined;

  #outbox: Outgoing[] = [];
  #credits = 0;
  #pumpScheduled = false;
  #metadataSent = false;
  #terminated = false; // the test (or handler) ended it
  #ended = false; // a status reached the call, or the client cancelled
  #clientCancelled = false;
  readonly #cancelled = deferred<void>();
  #controller: AbortController | undefined;

  constructor(channel: FakeChannelTransport, method: string, kind: RpcKind, deadline: number) {
    this.#channel = channel;
    this.method = method;
    this.kind = kind;
    this.#deadline = deadline;
    this.#codecs = channel.codecs?.[method];
    if (Number.isFinite(deadline)) {
      this.#timer = channel.time.callAt(() => this.#expire(), deadline / 1000);
    }
  }

  // ---- CallTransport (driven by the call object) ------------------------------------------------

  start(metadata: Metadata, listener: TransportListener): void {
    this.invocationMetadata = metadata;
    this.#listener = listener;
    this.#channel.arrived(this);
  }

  sendMessage(message: Uint8Array, callback: (error?: Error | null) => void, sent?: unknown): void {
    if (this.#ended || this.#halfClosed) return;
    let request: unknown;
    const decode = this.#codecs?.requestDeserializer;
    try {
      // Messages pass by reference: the test sees the object the application sent.
      request = decode == null ? sent : decode(message);
    } catch (error) {
      this.#end({
        code: StatusCode.INTERNAL,
        details: `Failed to deserialize request: ${describeThrown(error)}`,
        metadata: new Metadata(),
      });
      return;
    }
    this.#requests.put(request);
    queueMicrotask(() => callback());
  }

  startRead(): void {
    this.#credits++;
    this.#pump();
  }

  halfClose(): void {
    if (this.#halfClosed || this.#ended) return;
    this.#halfClosed = true;
    this.#closedWaiter?.resolve();
    this.#requests.settleWaiting((waiter) => waiter.resolve(EOF));
  }

  cancel(_code: StatusCode, _details: string): void {
    // The call object ended itself (cancel(), a bad message): the server side sees a cancellation.
    this.#clientCancel();
  }

  getPeer(): string {
    return FAKE_PEER;
  }

  // ---- the test's side -----------------------------------------------------------------------

  timeRemaining(): number | undefined {
    if (!Number.isFinite(this.#deadline)) return undefined;
    return Math.max(0, (this.#deadline - this.#channel.now()) / 1000);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#clientCancelled)
        this.#controller.abort(new Error(`The call to ${this.method} was cancelled.`));
    }
    return this.#controller.signal;
  }

  sendInitialMetadata(initialMetadata: MetadataLike): void {
    this.#checkOpen();
    if (this.#metadataSent) throw new UsageError(INITIAL_METADATA_ALREADY_SENT);
    const metadata = Metadata.from(initialMetadata);
    this.#metadataSent = true;
    this.#push({ kind: 'metadata', metadata });
  }

  sendResponse(response: unknown): void {
    this.#checkOpen();
    if (this.#ended) return;
    this.#sendMessage(response);
  }

  #sendMessage(response: unknown): void {
    if (!this.#metadataSent) {
      this.#metadataSent = true;
      this.#push({ kind: 'metadata', metadata: new Metadata() });
    }
    const encode = this.#codecs?.responseSerializer;
    if (encode != null) this.#push({ kind: 'message', bytes: (encode as Serializer<unknown>)(response) });
    else if (response instanceof Uint8Array) this.#push({ kind: 'message', bytes: response });
    // An object passes by reference: the application gets it as it is (no deserializer runs).
    else this.#push({ kind: 'message', bytes: NO_BYTES, decoded: { value: response } });
  }

  terminate(...args: unknown[]): void {
    const unaryResponse = this.kind === 'unaryUnary' || this.kind === 'streamUnary';
    const [response, trailingMetadata, code = StatusCode.OK, details = ''] = unaryResponse
      ? args
      : [undefined, ...args];
    if (!isStatusCode(code)) throw new TypeError(`terminate() needs a StatusCode, got ${String(code)}.`);
    if (typeof details !== 'string')
      throw new TypeError(`terminate() details must be a string, got ${typeof details}.`);
    const metadata = Metadata.from(trailingMetadata as MetadataLike | undefined);
    this.#checkOpen();
    this.#terminated = true;
    if (this.#ended) return;
    if (unaryResponse && code === StatusCode.OK && response !== undefined) this.#sendMessage(response);
    this.#push({ kind: 'status', status: { code, details, metadata } });
  }

  /** The next request, or EOF once the client half-closed. */
  nextRequest(): Promise<unknown> {
    return this.#requests.take(() => {
      if (this.#halfClosed) return Promise.resolve(EOF);
      if (this.#ended) return Promise.reject(new Error(`The call to ${this.method} has ended.`));
      return undefined;
    });
  }

  async takeRequest(options?: TakeOptions): Promise<unknown> {
    const request = await this.#channel.bounded(
      this.nextRequest(),
      takeTimeoutOf('takeRequest()', options),
      () => `takeRequest() on ${this.method} timed out: the client sent no further request.`,
    );
    if (request === EOF) {
      throw new Error(`takeRequest() on ${this.method}: the client closed its request stream.`);
    }
    return request;
  }

  requestsClosed(): Promise<void> {
    if (this.#halfClosed) return Promise.resolve();
    if (this.#ended) {
      return Promise.reject(new Error(`The call to ${this.method} ended before its requests were closed.`));
    }
    this.#closedWaiter ??= deferred();
    return this.#channel.bounded(
      this.#closedWaiter.promise,
      undefined,
      () => `requestsClosed() on ${this.method} timed out: the client did not close its request stream.`,
    );
  }

  cancelled(): Promise<void> {
    if (this.#clientCancelled) return Promise.resolve();
    return this.#channel.bounded(
      this.#cancelled.promise,
      undefined,
      () => `cancelled() on ${this.method} timed out: the client did not cancel the call.`,
    );
  }

  isCancelled(): boolean {
    return this.#clientCancelled;
  }

  get terminated(): boolean {
    return this.#terminated || this.#ended;
  }

  #checkOpen(): void {
    if (this.#terminated) throw new UsageError(RPC_ALREADY_FINISHED);
  }

  // ---- delivery ------------------------------------------------------------------------------

  #push(item: Outgoing): void {
    this.#outbox.push(item);
    this.#pump();
  }

  // Deliveries run on a microtask, never inside the caller's stack (as a network would).
  #pump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    while (this.#outbox.length > 0) {
      if (this.#ended) {
        this.#outbox = [];
        return;
      }
      const next = this.#outbox[0]!;
      if (next.kind === 'message') {
        if (this.#credits === 0) return;
        this.#credits--;
      }
      this.#outbox.shift();
      if (next.kind === 'metadata') listener.onTransportMetadata(next.metadata);
      else if (next.kind === 'message') listener.onTransportMessage(next.bytes, next.decoded);
      else this.#end(next.status);
    }
  }

  #end(status: TransportStatus): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#terminated = true;
    this.#finishRequests();
    this.#listener?.onTransportStatus(status);
  }

  #expire(): void {
    if (this.#ended) return;
    this.#clientCancel();
    this.#listener?.onTransportStatus({
      code: StatusCode.DEADLINE_EXCEEDED,
      details: FAKE_DEADLINE_EXCEEDED,
      metadata: new Metadata(),
    });
  }

  #clientCancel(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clientCancelled = true;
    this.#finishRequests();
    this.#controller?.abort(new Error(`The call to ${this.method} was cancelled.`));
    this.#cancelled.resolve();
  }

  #finishRequests(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#channel.forget(this);
    const error = new Error(`The call to ${this.method} has ended.`);
    this.#requests.settleWaiting((waiter) => waiter.reject(error));
    this.#closedWaiter?.reject(
      new Error(`The call to ${this.method} ended before its requests were closed.`),
    );
  }
}

interface Taker {
  readonly method: string;
  readonly resolve: (rpc: FakeRpc) => void;
}

/** The {@link ChannelTransport} of a fake channel. */
class FakeChannelTransport implements ChannelTransport {
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

  now(): number {
    return this.time.time() * 1000;
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

function startHandler(rpc: FakeRpc, handler: FakeHandler): void {
  runHandler(rpc, handler).catch((error: unknown) => {
    // runHandler catches what the handler throws; this is a bug of the fake, not of the test.
    console.error(`@grpc-aio/testing: the fake handler of ${rpc.method} failed:`, error);
  });
}

async function runHandler(rpc: FakeRpc, handler: FakeHandler): Promise<void> {
  const unaryRequest = rpc.kind === 'unaryUnary' || rpc.kind === 'unaryStream';
  const unaryResponse = rpc.kind === 'unaryUnary' || rpc.kind === 'streamUnary';
  let code: StatusCode | undefined;
  let details: string | undefined;
  let trailing: Metadata | undefined;
  let aborted = false;
  const context: FakeHandlerContext = {
    method: rpc.method,
    invocationMetadata: () => rpc.invocationMetadata,
    timeRemaining: () => rpc.timeRemaining(),
    get signal() {
      return rpc.signal;
    },
    cancelled: () => rpc.isCancelled(),
    sendInitialMetadata: (metadata) => rpc.sendInitialMetadata(metadata),
    write: (response) => {
      if (unaryResponse) throw new UsageError(WRITE_ON_UNARY_RESPONSE);
      rpc.sendResponse(response);
    },
    setTrailingMetadata: (metadata) => {
      trailing = Metadata.from(metadata);
    },
    setCode: (value) => {
      if (!isStatusCode(value)) throw new TypeError(`setCode() needs a StatusCode, got ${String(value)}.`);
      code = value;
    },
    setDetails: (value) => {
      details = value;
    },
    abort: (value, abortDetails = '', metadata) => {
      if (aborted) throw new UsageError(ABORT_ALREADY_CALLED);
      aborted = true;
      const abortTrailers = metadata === undefined ? undefined : Metadata.from(metadata);
      endWith(
        value,
        abortDetails === '' ? (details ?? '') : abortDetails,
        abortTrailers?.size ? abortTrailers : trailing,
      );
      throw new AbortError(LOCALLY_ABORTED);
    },
  };
  const endWith = (
    statusCode: StatusCode,
    statusDetails: string,
    metadata: Metadata | undefined,
    response?: unknown,
  ) => {
    if (rpc.terminated) return;
    if (unaryResponse) rpc.terminate(response, metadata, statusCode, statusDetails);
    else rpc.terminate(metadata, statusCode, statusDetails);
  };
  try {
    let argument: unknown;
    if (unaryRequest) {
      argument = await rpc.nextRequest();
    } else {
      argument = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const request = await rpc.nextRequest();
            return request === EOF ? { done: true, value: undefined } : { done: false, value: request };
          },
        }),
      };
    }
    let result = handler(argument, context);
    if (unaryResponse) {
      const response = await result;
      if (code !== undefined && code !== StatusCode.OK) endWith(code, details ?? '', trailing);
      else endWith(StatusCode.OK, details ?? '', trailing, response);
      return;
    }
    if (!isAsyncIterable(result) && typeof (result as PromiseLike<unknown>)?.then === 'function')
      result = await result;
    if (isAsyncIterable(result) || isIterable(result)) {
      for await (const response of result as AsyncIterable<unknown>) {
        if (rpc.terminated) break;
        rpc.sendResponse(response);
      }
    }
    endWith(code ?? StatusCode.OK, details ?? '', trailing);
  } catch (error) {
    if (error instanceof AbortError && aborted) return;
    if (code !== undefined && code !== StatusCode.OK) {
      endWith(code, details ?? '', trailing);
      return;
    }
    const status = thrownStatus(error);
    endWith(
      status.code,
      status.details,
      status.trailingMetadata.size > 0 ? status.trailingMetadata : trailing,
    );
  }
}

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
    const rpc = await this.#fake.take(methodPath(method), 'unaryUnary', options);
    return {
      invocationMetadata: rpc.invocationMetadata,
      request: (await unaryRequest(rpc)) as TRequest,
      rpc: rpc as never,
    };
  }

  /** The next unary-stream call to `method`, with its metadata and request. */
  // biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
  async takeUnaryStream<TRequest = any, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: TakeOptions,
  ): Promise<TakenUnaryRequest<TRequest, UnaryStreamChannelRpc<TResponse>>> {
    const rpc = await this.#fake.take(methodPath(method), 'unaryStream', options);
    return {
      invocationMetadata: rpc.invocationMetadata,
      request: (await unaryRequest(rpc)) as TRequest,
      rpc: rpc as never,
    };
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

async function unaryRequest(rpc: FakeRpc): Promise<unknown> {
  const request = await rpc.nextRequest();
  if (request === EOF) throw new Error(`The call to ${rpc.method} sent no request.`);
  return request;
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
