import type { Metadata } from '@grpc-aio/metadata';
import type { StatusCode } from './enums.js';
import type { EOF } from './eof.js';

/**
 * What every RPC, client or server side, can tell about itself and do (Python's `RpcContext`).
 */
export interface RpcContext {
  /**
   * True once cancellation was requested with `cancel()` (client side) or the client cancelled
   * (server side).
   */
  cancelled(): boolean;
  /** True once the RPC is over: completed, cancelled or aborted. */
  done(): boolean;
  /**
   * Seconds left before the deadline (never negative), or `undefined` when the RPC has no deadline.
   */
  timeRemaining(): number | undefined;
  /**
   * Cancels the RPC. Idempotent, and no effect once the RPC is over.
   * @returns true when this call performed the cancellation, false otherwise.
   */
  cancel(): boolean;
  /**
   * Registers `callback` to run once when the RPC ends, with this object as its argument. A
   * callback added after the end runs at once.
   */
  addDoneCallback(callback: (context: this) => void): void;
}

/**
 * The client side of any RPC (Python's `Call`). The accessors resolve once the value is known:
 * `initialMetadata()` when the server's headers arrive, the others when the RPC ends.
 */
export interface Call extends RpcContext {
  /** The server's initial metadata (empty if the RPC ended without any). */
  initialMetadata(): Promise<Metadata>;
  /** The server's trailing metadata; an empty `Metadata`, never undefined, when there is none. */
  trailingMetadata(): Promise<Metadata>;
  /** The final status code. */
  code(): Promise<StatusCode>;
  /** The final status message ('' when the server sent none). */
  details(): Promise<string>;
  /** The transport's debug description of the outcome ('' when there is none). */
  debugErrorString(): Promise<string>;
  /**
   * Resolves once the RPC has been started on a connection; rejects with `AioRpcError` when the RPC
   * failed before that (for example the server could not be reached). Useful for retry logic.
   * @experimental
   */
  waitForConnection(): Promise<void>;
}

/**
 * A unary-request, unary-response call. `await call` gives the response, or throws `AioRpcError`
 * for a non-OK status (`CancelledError` after a local cancel). The outcome is cached: awaiting
 * again yields the identical response or error object.
 */
// biome-ignore lint/correctness/noUnusedVariables: TRequest names the request type, as on the other call kinds
export interface UnaryUnaryCall<TRequest = unknown, TResponse = unknown>
  extends Call,
    PromiseLike<TResponse> {}

/**
 * A unary-request, streaming-response call: read it with `for await` or with `read()`, not both.
 */
// biome-ignore lint/correctness/noUnusedVariables: TRequest names the request type, as on the other call kinds
export interface UnaryStreamCall<TRequest = unknown, TResponse = unknown>
  extends Call,
    AsyncIterable<TResponse> {
  /**
   * The next response, or {@link EOF} at the end (and at every later call). Reads must not overlap.
   * @throws AioRpcError when the RPC ended with a non-OK status.
   * @throws UsageError when the call is also being read with `for await`.
   */
  read(): Promise<TResponse | EOF>;
}

/** A streaming-request, unary-response call: `write()` then `doneWriting()`, and `await call`. */
export interface StreamUnaryCall<TRequest = unknown, TResponse = unknown>
  extends Call,
    PromiseLike<TResponse> {
  /**
   * Sends one request. Resolves when the message was handed to the transport.
   * @throws InvalidStateError after `doneWriting()`, or when the RPC is already over.
   * @throws UsageError when the call was made with a request iterable.
   */
  write(request: TRequest): Promise<void>;
  /** Half-closes the request stream. Idempotent. */
  doneWriting(): Promise<void>;
}

/** A bidirectional-streaming call: `write()`/`doneWriting()` and `read()` or `for await`. */
export interface StreamStreamCall<TRequest = unknown, TResponse = unknown>
  extends Call,
    AsyncIterable<TResponse> {
  read(): Promise<TResponse | EOF>;
  write(request: TRequest): Promise<void>;
  doneWriting(): Promise<void>;
}

/** Any of the four client call kinds. */
export type AnyCall<TRequest = unknown, TResponse = unknown> =
  | UnaryUnaryCall<TRequest, TResponse>
  | UnaryStreamCall<TRequest, TResponse>
  | StreamUnaryCall<TRequest, TResponse>
  | StreamStreamCall<TRequest, TResponse>;
