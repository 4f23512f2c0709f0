import type { RpcMethodHandler } from '@grpc-aio/core';

// What handlers are and hand back, told apart: promises, (async) iterables, bytes.

/** The message of the TypeError for a handler without the behavior its kind needs. */
export function missingBehavior(handler: RpcMethodHandler, method: string): string {
  const kind = `${handler.requestStreaming ? 'stream' : 'unary'}${handler.responseStreaming ? 'Stream' : 'Unary'}`;
  return `The handler of ${method} has no ${kind} behavior.`;
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isObjectLike(value) && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

export function isIterable(value: unknown): value is Iterable<unknown> {
  return isObjectLike(value) && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** A Buffer over the same memory. */
export function toBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** `null`, a class name, or a typeof name, for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
