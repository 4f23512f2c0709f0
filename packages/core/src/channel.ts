import type { MetadataLike } from '@grpc-aio/metadata';
import type { StreamStreamCall, StreamUnaryCall, UnaryStreamCall, UnaryUnaryCall } from './call.js';
import type { CallCredentials } from './credentials.js';
import type { ChannelConnectivity, Compression } from './enums.js';
import type { Deserializer, Serializer } from './serialization.js';

/** A request sequence for a request-streaming call: sync or async. */
export type RequestIterable<TRequest> = AsyncIterable<TRequest> | Iterable<TRequest>;

/** The four kinds of call, by the name of their multi-callable. */
export type CallKind = 'unaryUnary' | 'unaryStream' | 'streamUnary' | 'streamStream';

/** The per-call options of every multi-callable (Python's keyword arguments). */
export interface CallOptions {
  /** Deadline, in seconds from now (fractions allowed). No timeout means no deadline. */
  timeout?: number | undefined;
  /** Metadata to send: a `Metadata` or `[key, value]` pairs. A bad element is a TypeError. */
  metadata?: MetadataLike | undefined;
  /** Per-call credentials; only allowed on a secure channel. */
  credentials?: CallCredentials | undefined;
  /** Queue the RPC until the channel is READY instead of failing fast while it is not. */
  waitForReady?: boolean | undefined;
  /** Compression for this call's requests. */
  compression?: Compression | undefined;
  /** Our addition: aborting this signal cancels the call, as `call.cancel()` does. */
  signal?: AbortSignal | undefined;
}

/** Calls a unary-unary method (Python's `UnaryUnaryMultiCallable`). Returns at once; the RPC runs in the background. */
export type UnaryUnaryMultiCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  request: TRequest,
  options?: CallOptions,
) => UnaryUnaryCall<TRequest, TResponse>;

/** Calls a unary-stream method. */
export type UnaryStreamMultiCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  request: TRequest,
  options?: CallOptions,
) => UnaryStreamCall<TRequest, TResponse>;

/**
 * Calls a stream-unary method. With a request iterable the call consumes it; without one (or with
 * `undefined`/`null`) the caller writes with `write()`/`doneWriting()`.
 */
export type StreamUnaryMultiCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  requestIterator?: RequestIterable<TRequest> | null,
  options?: CallOptions,
) => StreamUnaryCall<TRequest, TResponse>;

/** Calls a stream-stream method; request iterable or reader/writer style as for stream-unary. */
export type StreamStreamMultiCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  requestIterator?: RequestIterable<TRequest> | null,
  options?: CallOptions,
) => StreamStreamCall<TRequest, TResponse>;

/** Options when creating a multi-callable. */
export interface MethodOptions {
  /** Implementation detail carried over from Python (`_registered_method`); ignored by grpc-js. */
  registeredMethod?: boolean;
}

/** Options of the channel's waits (Python bounds them with `asyncio.wait_for`). */
export interface WaitOptions {
  /** Aborting it rejects the wait with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** A channel option, Python style: `[key, value]` (grpc core channel arguments). */
export type ChannelOption = readonly [key: string, value: string | number | boolean];

/**
 * A client channel (Python's `aio.Channel`). `await using channel = ...` closes it on scope exit
 * (Python's `async with`).
 */
export interface Channel extends AsyncDisposable {
  /**
   * A callable for the unary-unary method `method` (`'/package.Service/Method'`). Without a
   * serializer requests must be bytes; without a deserializer responses are bytes.
   */
  unaryUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): UnaryUnaryMultiCallable<TRequest, TResponse>;
  unaryStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): UnaryStreamMultiCallable<TRequest, TResponse>;
  streamUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): StreamUnaryMultiCallable<TRequest, TResponse>;
  streamStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): StreamStreamMultiCallable<TRequest, TResponse>;
  /**
   * Closes the channel. New RPCs fail at once with UsageError "Channel is closed.". Without
   * `grace` (or with null) active RPCs are cancelled now; with `grace` seconds they may finish
   * until then, and are cancelled after. Idempotent.
   * @throws RangeError for a negative grace.
   */
  close(grace?: number | null): Promise<void>;
  /**
   * The current connectivity state; with `tryToConnect` an IDLE channel starts connecting.
   * @experimental
   */
  getState(tryToConnect?: boolean): ChannelConnectivity;
  /**
   * Resolves on the first state change away from `lastObservedState` (at once when the state
   * already differs).
   * @throws UsageError on a closed channel.
   * @experimental
   */
  waitForStateChange(lastObservedState: ChannelConnectivity, options?: WaitOptions): Promise<void>;
  /**
   * Resolves once the channel is READY, connecting if needed. Bound the wait with
   * `options.signal` (e.g. `AbortSignal.timeout(ms)`): grpc-js has no connect timeout, so on an
   * address that never answers the channel can stay CONNECTING.
   */
  channelReady(options?: WaitOptions): Promise<void>;
}
