import type {
  CallKind,
  Clock,
  RequestIterable,
  StreamStreamCall,
  StreamUnaryCall,
  UnaryStreamCall,
  UnaryUnaryCall,
} from '@grpc-aio/core';
import type { ClientCallDetails, ClientCallDetailsInit } from './client-call-details.js';

/**
 * What every continuation carries besides being callable: the chain's cancellation signal and the
 * channel's clock.
 */
export interface ContinuationExtras {
  /**
   * Aborted when the caller cancels the call (or its `signal` aborts) before the chain has
   * finished. An interceptor that waits (a retry backoff, a token refresh) should stop waiting
   * then. Calls made through the continuation afterwards are born cancelled. Our addition.
   */
  readonly signal: AbortSignal;
  /**
   * The clock of the channel beneath (the system's, or the testing package's fake time): an
   * interceptor that times or waits (a deadline, a backoff) reads and waits on it, so that fake
   * time in tests reaches it. Wait with `sleepOn(continuation.clock, seconds, continuation.signal)`
   * from `@grpc-aio/core`. Our addition.
   */
  readonly clock: Clock;
}

/**
 * Proceeds with a unary-unary RPC: runs the next interceptor, or after the last one starts the RPC
 * on the channel. Returns the next call SYNCHRONOUSLY: `const call = continuation(details, request)`
 * gives the call (to inspect or return), `await continuation(details, request)` gives its
 * response (a unary call is awaitable). `details` may also be a plain object with the same fields
 * (`{ ...details, timeout: 5 }`).
 */
export type UnaryUnaryContinuation<TRequest = unknown, TResponse = unknown> = ((
  details: ClientCallDetails | ClientCallDetailsInit,
  request: TRequest,
) => UnaryUnaryCall<TRequest, TResponse>) &
  ContinuationExtras;

/** Proceeds with a unary-stream RPC; returns the next call synchronously. */
export type UnaryStreamContinuation<TRequest = unknown, TResponse = unknown> = ((
  details: ClientCallDetails | ClientCallDetailsInit,
  request: TRequest,
) => UnaryStreamCall<TRequest, TResponse>) &
  ContinuationExtras;

/**
 * Proceeds with a stream-unary RPC; returns the next call synchronously. Pass the request iterable
 * you got (or a wrapped one); passing `undefined` makes the next call write-style, and the
 * interceptor must then write to it itself.
 */
export type StreamUnaryContinuation<TRequest = unknown, TResponse = unknown> = ((
  details: ClientCallDetails | ClientCallDetailsInit,
  requestIterator?: RequestIterable<TRequest> | null,
) => StreamUnaryCall<TRequest, TResponse>) &
  ContinuationExtras;

/** Proceeds with a stream-stream RPC; returns the next call synchronously. */
export type StreamStreamContinuation<TRequest = unknown, TResponse = unknown> = ((
  details: ClientCallDetails | ClientCallDetailsInit,
  requestIterator?: RequestIterable<TRequest> | null,
) => StreamStreamCall<TRequest, TResponse>) &
  ContinuationExtras;

/** What a unary-response interceptor may return (or resolve to): the call, or a plain response. */
export type UnaryInterceptorResult<TCall, TResponse> = TCall | TResponse | PromiseLike<TCall | TResponse>;

/**
 * What a streaming-response interceptor may return (or resolve to): the call, or an (async)
 * iterable that becomes the source of the caller's reads.
 */
export type StreamInterceptorResult<TCall, TResponse> =
  | TCall
  | AsyncIterable<TResponse>
  | Iterable<TResponse>
  | PromiseLike<TCall | AsyncIterable<TResponse> | Iterable<TResponse>>;

/**
 * The marker every client interceptor satisfies (Python's `aio.ClientInterceptor`): an object with
 * at least one of the four intercept methods. An object with several is used for every call kind it
 * implements (unlike Python's aio, which keeps only the first kind it finds: grpc#40946).
 */
export interface ClientInterceptor {
  interceptUnaryUnary?(
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    continuation: UnaryUnaryContinuation<any, any>,
    details: ClientCallDetails,
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    request: any,
  ): unknown;
  interceptUnaryStream?(
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    continuation: UnaryStreamContinuation<any, any>,
    details: ClientCallDetails,
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    request: any,
  ): unknown;
  interceptStreamUnary?(
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    continuation: StreamUnaryContinuation<any, any>,
    details: ClientCallDetails,
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    requestIterator: RequestIterable<any>,
  ): unknown;
  interceptStreamStream?(
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    continuation: StreamStreamContinuation<any, any>,
    details: ClientCallDetails,
    // biome-ignore lint/suspicious/noExplicitAny: bivariance: an interceptor typed for its own messages is a ClientInterceptor
    requestIterator: RequestIterable<any>,
  ): unknown;
}

/**
 * Intercepts unary-unary calls (Python's `aio.UnaryUnaryClientInterceptor`).
 *
 * The method may be sync or async. It returns the call it got from `continuation` (the caller's
 * call then reports that call's code, details and metadata), or a plain response (the caller's
 * call then succeeds with it: code OK, empty metadata). Throwing fails the caller's call (see the
 * README: an `AioRpcError` as is, anything else as UNKNOWN with the original as `cause`).
 *
 * An async method's `return call` resolves to the call's RESPONSE (a promise adopts a thenable);
 * the chain recognises that response (or error) by identity as "returned the call", so code and
 * metadata are kept.
 *
 * @example
 * const addHeader: UnaryUnaryClientInterceptor = {
 *   interceptUnaryUnary(continuation, details, request) {
 *     return continuation(details.with({ metadata: details.metadata.concat([['x-id', '42']]) }), request);
 *   },
 * };
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: an interceptor written without type arguments takes any message, as Python's do
export interface UnaryUnaryClientInterceptor<TRequest = any, TResponse = any> extends ClientInterceptor {
  interceptUnaryUnary(
    continuation: UnaryUnaryContinuation<TRequest, TResponse>,
    details: ClientCallDetails,
    request: TRequest,
  ): UnaryInterceptorResult<UnaryUnaryCall<TRequest, TResponse>, TResponse>;
}

/**
 * Intercepts unary-stream calls (Python's `aio.UnaryStreamClientInterceptor`). Returns the call, or
 * an (async) iterable that becomes the source of the caller's reads; the caller's call then takes
 * code and metadata from the last call the continuation made (code OK and empty metadata when it
 * made none).
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: an interceptor written without type arguments takes any message, as Python's do
export interface UnaryStreamClientInterceptor<TRequest = any, TResponse = any> extends ClientInterceptor {
  interceptUnaryStream(
    continuation: UnaryStreamContinuation<TRequest, TResponse>,
    details: ClientCallDetails,
    request: TRequest,
  ): StreamInterceptorResult<UnaryStreamCall<TRequest, TResponse>, TResponse>;
}

/**
 * Intercepts stream-unary calls (Python's `aio.StreamUnaryClientInterceptor`). Gets the request
 * iterable (write-style calls get one fed by the caller's `write()`s); returns the call or a plain
 * response, as for unary-unary.
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: an interceptor written without type arguments takes any message, as Python's do
export interface StreamUnaryClientInterceptor<TRequest = any, TResponse = any> extends ClientInterceptor {
  interceptStreamUnary(
    continuation: StreamUnaryContinuation<TRequest, TResponse>,
    details: ClientCallDetails,
    requestIterator: RequestIterable<TRequest>,
  ): UnaryInterceptorResult<StreamUnaryCall<TRequest, TResponse>, TResponse>;
}

/**
 * Intercepts stream-stream calls (Python's `aio.StreamStreamClientInterceptor`). Gets the request
 * iterable; returns the call or an (async) iterable of responses, as for unary-stream.
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: an interceptor written without type arguments takes any message, as Python's do
export interface StreamStreamClientInterceptor<TRequest = any, TResponse = any> extends ClientInterceptor {
  interceptStreamStream(
    continuation: StreamStreamContinuation<TRequest, TResponse>,
    details: ClientCallDetails,
    requestIterator: RequestIterable<TRequest>,
  ): StreamInterceptorResult<StreamStreamCall<TRequest, TResponse>, TResponse>;
}

/** The four call kinds, by the name of their multi-callable (`CallKind` of `@grpc-aio/core`). */
export type { CallKind };

/** The intercept method of each call kind. */
export const INTERCEPT_METHOD = {
  unaryUnary: 'interceptUnaryUnary',
  unaryStream: 'interceptUnaryStream',
  streamUnary: 'interceptStreamUnary',
  streamStream: 'interceptStreamStream',
} as const satisfies Record<CallKind, keyof ClientInterceptor>;

/** True when `value` has at least one of the four intercept methods. */
export function isClientInterceptor(value: unknown): value is ClientInterceptor {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  return Object.values(INTERCEPT_METHOD).some(
    (name) => typeof (value as Record<string, unknown>)[name] === 'function',
  );
}

/**
 * Checks a list of client interceptors (Python's channel raises ValueError for anything else).
 * @throws TypeError naming the position of the first element that is not a ClientInterceptor.
 */
export function validateClientInterceptors(
  interceptors: readonly unknown[] | null | undefined,
): ClientInterceptor[] {
  if (interceptors == null) return [];
  if (!Array.isArray(interceptors)) throw new TypeError('Client interceptors must be an array.');
  interceptors.forEach((interceptor, index) => {
    if (!isClientInterceptor(interceptor)) {
      throw new TypeError(
        `Interceptor at index ${index} must be a ClientInterceptor (an object with interceptUnaryUnary, interceptUnaryStream, interceptStreamUnary or interceptStreamStream), got ${interceptor === null ? 'null' : typeof interceptor}.`,
      );
    }
  });
  return [...interceptors] as ClientInterceptor[];
}
