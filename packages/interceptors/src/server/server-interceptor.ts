import type { HandlerCallDetails, RpcMethodHandler } from '@grpc-aio/core';

/** What an interceptor may return: the handler to use, or null/undefined to decline the RPC. */
export type MaybeHandler = RpcMethodHandler | null | undefined;

/** Continues the chain: the next interceptor, and after the last one the server's handler lookup. */
export type ServerContinuation = (handlerCallDetails: HandlerCallDetails) => Promise<MaybeHandler>;

/**
 * Observes and optionally changes incoming RPCs before they reach their handlers (Python's
 * `aio.ServerInterceptor`). Interceptors run in list order, before the handler lookup; each calls
 * `continuation(details)` to get the handler further down, and may return it, a wrapped handler
 * (see `wrapHandler`), a different handler, or null/undefined (the client gets UNIMPLEMENTED).
 *
 * @example
 * // Declines RPCs without the right token: the client gets UNIMPLEMENTED, as in Python. To answer
 * // with another status, return a handler that aborts (see recoveryInterceptor and wrapHandler).
 * const auth: ServerInterceptor = {
 *   async interceptService(continuation, details) {
 *     if (details.invocationMetadata.get('authorization') !== 'Bearer s3cret') return null;
 *     return continuation(details);
 *   },
 * };
 */
export interface ServerInterceptor {
  interceptService(
    continuation: ServerContinuation,
    handlerCallDetails: HandlerCallDetails,
  ): MaybeHandler | Promise<MaybeHandler>;
}

/** True when `value` has an `interceptService` method. */
export function isServerInterceptor(value: unknown): value is ServerInterceptor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ServerInterceptor>).interceptService === 'function'
  );
}

/**
 * Checks a list of server interceptors (Python's `aio.server(interceptors=...)` raises ValueError for
 * anything else).
 * @throws TypeError naming the position of the first element that is not a ServerInterceptor.
 */
export function validateServerInterceptors(
  interceptors: readonly unknown[] | null | undefined,
): ServerInterceptor[] {
  if (interceptors == null) return [];
  if (!Array.isArray(interceptors)) throw new TypeError('Server interceptors must be an array.');
  interceptors.forEach((interceptor, index) => {
    if (!isServerInterceptor(interceptor)) {
      throw new TypeError(
        `Interceptor at index ${index} must be a ServerInterceptor (an object with interceptService), got ${interceptor === null ? 'null' : typeof interceptor}.`,
      );
    }
  });
  return [...interceptors] as ServerInterceptor[];
}

/**
 * Runs `interceptors` in order around `lookup` (the server's own handler lookup) for one RPC.
 * interceptors[0] runs first. An interceptor that throws rejects the returned promise; the server
 * turns that into the RPC's status.
 */
export function runServerInterceptors(
  interceptors: readonly ServerInterceptor[],
  handlerCallDetails: HandlerCallDetails,
  lookup: ServerContinuation,
): Promise<MaybeHandler> {
  const step = async (index: number, details: HandlerCallDetails): Promise<MaybeHandler> => {
    const interceptor = interceptors[index];
    if (interceptor === undefined) return lookup(details);
    return interceptor.interceptService((next) => step(index + 1, next), details);
  };
  return step(0, handlerCallDetails);
}
