import type { CallTransport, TransportListener, TransportStatus } from '@grpc-aio/channel/internal';
import { type Clock, EOF, isStatusCode, type Serializer, StatusCode } from '@grpc-aio/core';
import { INITIAL_METADATA_ALREADY_SENT, RPC_ALREADY_FINISHED, UsageError } from '@grpc-aio/errors';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { type Deferred, deferred, Inbox } from './deferred.js';
import {
  FAKE_DEADLINE_EXCEEDED,
  FAKE_PEER,
  type MethodCodecs,
  type RpcKind,
  type TakeOptions,
} from './fake-channel-types.js';
import { takeTimeoutOf } from './options.js';
import { describeThrown } from './thrown-status.js';
import type { ScheduledCall, Time } from './time.js';

// One RPC of a fake channel (FakeRpc): the transport under the application's call object, and the
// object the test holds as its `*ChannelRpc` handle. It queues what the server side sends and
// delivers it on microtasks, as the call object's reads ask for it.

/** What an RPC needs of its channel (the fake channel's transport). */
export interface RpcChannel {
  readonly time: Time;
  readonly codecs: Readonly<Record<string, MethodCodecs>> | undefined;
  /** The channel's clock (its fake time). */
  readonly clock: Clock;
  /** The call started: the channel hands it to a take or a handler. */
  arrived(rpc: FakeRpc): void;
  /** The call ended. */
  forget(rpc: FakeRpc): void;
  /** `promise`, or a rejection with `message()` after `timeout` (default: the take timeout). */
  bounded<T>(promise: Promise<T>, timeout: number | undefined, message: () => string): Promise<T>;
}

/** The bytes of a message that passes by reference. */
const NO_BYTES = new Uint8Array(0);

type Outgoing =
  | { readonly kind: 'metadata'; readonly metadata: Metadata }
  | { readonly kind: 'message'; readonly bytes: Uint8Array; readonly decoded?: { readonly value: unknown } }
  | { readonly kind: 'status'; readonly status: TransportStatus };

/** One RPC of a fake channel: the call object's transport, and the test's handle on it. */
export class FakeRpc implements CallTransport {
  readonly method: string;
  readonly kind: RpcKind;
  invocationMetadata: Metadata = new Metadata();
  readonly #channel: RpcChannel;
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

  constructor(channel: RpcChannel, method: string, kind: RpcKind, deadline: number) {
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
    return Math.max(0, (this.#deadline - this.#channel.clock.now()) / 1000);
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
