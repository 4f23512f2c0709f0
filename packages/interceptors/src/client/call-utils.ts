import type { Call } from '@grpc-aio/core';
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import { CLIENT_INTERCEPTOR_FAILED } from './messages.js';

/** The error a call ends with: an AioRpcError, or CancelledError after a local cancel. */
export type CallError = AioRpcError | CancelledError;

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
 * What a thrown value means for the call: AioRpcError and CancelledError as they are, anything else
 * an UNKNOWN status whose details name the error, which is kept as `cause`.
 */
export function toCallError(error: unknown): CallError {
  if (error instanceof AioRpcError || error instanceof CancelledError) return error;
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

/**
 * Runs a done callback. A callback that throws must not break the call that runs it, nor crash the
 * process: the error is reported on the console, as asyncio logs exceptions in callbacks.
 */
export function runCallback<T>(callback: (value: T) => void, value: T): void {
  try {
    callback(value);
  } catch (error) {
    console.error('Exception in a done callback of a gRPC call:', error);
  }
}

/** Marks the call objects the chain makes itself (not calls of the channel). */
export const SYNTHETIC: unique symbol = Symbol('grpc-aio.syntheticCall');

/** True for a call object the chain made itself (a plain response, an error, an iterable). */
export function isSynthetic(call: Call): boolean {
  return (call as unknown as Record<symbol, unknown>)[SYNTHETIC] === true;
}
