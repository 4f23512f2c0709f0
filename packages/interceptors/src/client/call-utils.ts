import type { Call, Clock } from '@grpc-aio/core';
import { StatusCode } from '@grpc-aio/core';
import { CALL_END, reportsEnd } from '@grpc-aio/core/internal';
import { AioRpcError, CancelledError, LOCALLY_CANCELLED } from '@grpc-aio/errors';
import { type EndListener, reportCallbackError, reportEnd } from '@grpc-aio/errors/internal';
import { CLIENT_INTERCEPTOR_FAILED } from './messages.js';

/**
 * The error a call ends with: an AioRpcError, CancelledError after a local cancel, or an error the
 * channel underneath threw at once (UsageError on a closed channel, TypeError or RangeError for bad
 * call options), which reaches the caller as it would without interceptors.
 */
export type CallError = AioRpcError | CancelledError | Error;

// Errors the channel underneath threw synchronously when the chain's last continuation called it.
const channelErrors = new WeakSet<object>();

/** Marks an error as thrown by the channel itself (not by an interceptor). */
export function markChannelError(error: unknown): void {
  if (typeof error === 'object' && error !== null) channelErrors.add(error);
}

/** True for an object that looks like one of the client call kinds (the core `Call` contract). */
export function isCallLike(value: unknown): value is Call {
  if (typeof value !== 'object' || value === null) return false;
  const call = value as Record<string, unknown>;
  return (
    typeof call.cancel === 'function' &&
    typeof call.code === 'function' &&
    typeof call.addDoneCallback === 'function' &&
    typeof call.initialMetadata === 'function'
  );
}

/** True for a promise or any other thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** True for something a streaming interceptor may return as the source of reads. */
export function isResponseIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * What a thrown value means for the call: AioRpcError, CancelledError and the channel's own errors
 * as they are, anything else an UNKNOWN status whose details name the error, kept as `cause`.
 */
export function toCallError(error: unknown): CallError {
  if (error instanceof AioRpcError || error instanceof CancelledError) return error;
  if (typeof error === 'object' && error !== null && channelErrors.has(error)) return error as Error;
  return new AioRpcError(
    StatusCode.UNKNOWN,
    null,
    null,
    `${CLIENT_INTERCEPTOR_FAILED}: ${describeError(error)}`,
    null,
    {
      cause: error,
    },
  );
}

/** When a call's time runs out: milliseconds on the chain's clock. */
export interface Deadline {
  readonly clock: Clock;
  readonly at: number;
}

/** The deadline `timeout` seconds from now on `clock`; undefined without a timeout. */
export function deadlineIn(clock: Clock, timeout: number | undefined): Deadline | undefined {
  return timeout === undefined ? undefined : { clock, at: clock.now() + timeout * 1000 };
}

/** Seconds left before `deadline` (never negative); undefined without one. */
export function secondsLeft(deadline: Deadline | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, (deadline.at - deadline.clock.now()) / 1000);
}

/**
 * Tells `listener` how `call` ended: at once through its `CALL_END` hook (the calls of the grpc-aio
 * packages), else once a done callback of the call has read its code and details (another
 * implementation of the Call contract). A listener that throws is logged.
 */
export function onCallEnd(call: Call, listener: EndListener): void {
  const guarded: EndListener = (code, details) => reportEnd(listener, code, details);
  if (reportsEnd(call)) {
    call[CALL_END](guarded);
    return;
  }
  call.addDoneCallback(() => {
    // In a promise: a code() that throws at once must not stop the call's other done callbacks.
    Promise.resolve()
      .then(() => Promise.all([call.code(), call.details()]))
      .then(
        ([code, details]) => guarded(code, details),
        (error: unknown) => reportCallbackError('grpc-aio: a call gave no status', error),
      );
  });
}

/** The code a call that failed with `error` ends with: its own, CANCELLED after a cancel, else UNKNOWN. */
export function errorCode(error: CallError): StatusCode {
  if (error instanceof AioRpcError) return error.code();
  return error instanceof CancelledError ? StatusCode.CANCELLED : StatusCode.UNKNOWN;
}

/** The details a call that failed with `error` ends with: its own, Python's cancel text, else `Name: message`. */
export function errorDetails(error: CallError): string {
  if (error instanceof AioRpcError) return error.details() ?? '';
  return error instanceof CancelledError ? LOCALLY_CANCELLED : `${error.name}: ${error.message}`;
}
