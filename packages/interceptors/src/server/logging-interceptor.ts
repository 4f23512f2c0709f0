import {
  type HandlerCallDetails,
  type ServicerContext,
  StatusCode,
  statusCodeToString,
} from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { AbortError, AioRpcError } from '@grpc-aio/errors';
import type { ServerInterceptor } from './server-interceptor.js';
import { wrapHandler } from './wrap-handler.js';

/** One finished RPC, as {@link serverLoggingInterceptor} reports it. */
export interface ServerCallLogEntry {
  readonly method: string;
  /**
   * The status the handler ended the RPC with: the code it set or aborted with, OK when it
   * returned normally, UNIMPLEMENTED when no handler was found, and for an error it threw: the
   * code of an AioRpcError, else UNKNOWN (as the server reports it).
   */
  readonly code: StatusCode;
  /** The error the handler threw, if any. */
  readonly error?: unknown;
  /** Milliseconds from the handler's start to its end (0 when no handler was found). */
  readonly durationMs: number;
}

/** Options of {@link serverLoggingInterceptor}. */
export interface ServerLoggingOptions {
  /** Receives one entry per RPC. Default: one `console.info` line per RPC. */
  logger?: (entry: ServerCallLogEntry) => void;
  /** The clock, in milliseconds (default `performance.now`); for tests. */
  now?: () => number;
}

/** The default log line: `grpc server /pkg.Svc/Method StatusCode.OK 1.2ms`. */
export function formatServerCallLogEntry(entry: ServerCallLogEntry): string {
  return `grpc server ${entry.method} ${statusCodeToString(entry.code)} ${entry.durationMs.toFixed(1)}ms`;
}

function codeOf(context: ServicerContext, error: unknown): StatusCode {
  if (error === undefined || error instanceof AbortError) return context.code() ?? StatusCode.OK;
  if (error instanceof AioRpcError) return error.code();
  return StatusCode.UNKNOWN;
}

/**
 * A server interceptor that reports every RPC when its handler ends: method, status code and
 * duration. Put it first in the list so that it also sees what later interceptors decide. A logger
 * that throws is reported on the console and otherwise ignored.
 */
export function serverLoggingInterceptor(options: ServerLoggingOptions = {}): ServerInterceptor {
  if (options != null && typeof options === 'object')
    rejectUnknownOptions('serverLoggingInterceptor()', options, new Set(['logger', 'now']));
  const logger =
    options.logger ?? ((entry: ServerCallLogEntry) => console.info(formatServerCallLogEntry(entry)));
  const now = options.now ?? (() => performance.now());
  const emit = (entry: ServerCallLogEntry) => {
    try {
      logger(entry);
    } catch (error) {
      console.error('The gRPC server logging interceptor failed:', error);
    }
  };
  return {
    async interceptService(continuation, handlerCallDetails: HandlerCallDetails) {
      const handler = await continuation(handlerCallDetails);
      const method = handlerCallDetails.method;
      if (handler == null) {
        emit({ method, code: StatusCode.UNIMPLEMENTED, durationMs: 0 });
        return handler;
      }
      const starts = new WeakMap<object, number>();
      return wrapHandler(handler, {
        onStart(context) {
          starts.set(context, now());
        },
        onFinish(context, error) {
          const durationMs = now() - (starts.get(context) ?? now());
          const entry: ServerCallLogEntry = { method, code: codeOf(context, error), durationMs };
          emit(error === undefined ? entry : { ...entry, error });
        },
      });
    },
  };
}
