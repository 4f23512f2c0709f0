import { type HandlerCallDetails, StatusCode } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { AbortError, AioRpcError } from '@grpc-aio/errors';
import type { ServerInterceptor } from './server-interceptor.js';
import { wrapHandler } from './wrap-handler.js';

/** The status an error maps to. */
export interface RecoveredStatus {
  readonly code: StatusCode;
  readonly details: string;
}

/**
 * Maps an error a handler threw to the status the client gets; return undefined to leave the
 * error alone (the server then reports it as it would without this interceptor).
 */
export type ErrorToStatus = (
  error: unknown,
  handlerCallDetails: HandlerCallDetails,
) => RecoveredStatus | undefined;

/**
 * The default mapping: an `AioRpcError` (typically from a call to another service) passes its code
 * and details on; anything else is INTERNAL with details "Internal server error", so no internals
 * (messages, stack traces) leak to clients.
 */
export function defaultErrorToStatus(error: unknown): RecoveredStatus {
  if (error instanceof AioRpcError) return { code: error.code(), details: error.details() ?? '' };
  return { code: StatusCode.INTERNAL, details: 'Internal server error' };
}

/** Options of {@link recoveryInterceptor}. */
export interface RecoveryOptions {
  /** The mapping (default {@link defaultErrorToStatus}). */
  toStatus?: ErrorToStatus;
  /** Called with every error recovered, e.g. to log it with its stack. */
  onError?: (error: unknown, handlerCallDetails: HandlerCallDetails) => void;
}

/**
 * A server interceptor that turns errors thrown by handlers into a chosen status (with
 * `context.abort(code, details)`) instead of the server's default (UNKNOWN, with the error's
 * message). `context.abort()` itself (an AbortError) and RPCs already over are left alone.
 *
 * @example
 * const recovery = recoveryInterceptor({
 *   toStatus: (error) => (error instanceof NotFound ? { code: StatusCode.NOT_FOUND, details: error.message } : undefined),
 *   onError: (error) => log.error(error),
 * });
 * const srv = server({ interceptors: [recovery] });
 */
export function recoveryInterceptor(options: RecoveryOptions = {}): ServerInterceptor {
  if (options != null && typeof options === 'object')
    rejectUnknownOptions('recoveryInterceptor()', options, new Set(['toStatus', 'onError']));
  const toStatus = options.toStatus ?? defaultErrorToStatus;
  return {
    async interceptService(continuation, handlerCallDetails) {
      const handler = await continuation(handlerCallDetails);
      return wrapHandler(handler, {
        async onError(error, context) {
          if (error instanceof AbortError || context.done()) return;
          const status = toStatus(error, handlerCallDetails);
          if (status === undefined) return;
          options.onError?.(error, handlerCallDetails);
          await context.abort(status.code, status.details);
        },
      });
    },
  };
}
