import type { Call } from '@grpc-aio/core';
import { type StatusCode, statusCodeToString, systemClock } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import type { ClientCallDetails } from './client-call-details.js';
import type { CallKind, ClientInterceptor, ContinuationExtras } from './client-interceptor.js';

/** One finished client call, as {@link clientLoggingInterceptor} reports it. */
export interface ClientCallLogEntry {
  /** The method as the call was made (before later interceptors changed anything). */
  readonly method: string;
  readonly kind: CallKind;
  readonly code: StatusCode;
  /** The status message ('' when none). */
  readonly details: string;
  /** Milliseconds from the start of the call to its end. */
  readonly durationMs: number;
}

/** Options of {@link clientLoggingInterceptor}. */
export interface ClientLoggingOptions {
  /** Receives one entry per finished call. Default: one `console.info` line per call. */
  logger?: (entry: ClientCallLogEntry) => void;
  /** The clock, in milliseconds (default: the channel's clock, `continuation.clock`); for tests. */
  now?: () => number;
}

/** The default log line: `grpc client /pkg.Svc/Method StatusCode.OK 12.3ms`, plus the details if any. */
export function formatClientCallLogEntry(entry: ClientCallLogEntry): string {
  const details = entry.details === '' ? '' : ` "${entry.details}"`;
  return `grpc client ${entry.method} ${statusCodeToString(entry.code)} ${entry.durationMs.toFixed(1)}ms${details}`;
}

/**
 * A client interceptor, for all four call kinds, that reports every call when it ends: method,
 * status code, details and duration. It never changes the call; a logger that throws is reported
 * on the console and otherwise ignored. Put it first in the list to time the whole chain (retries
 * included), last to time each attempt.
 *
 * @example
 * const channel = interceptChannel(insecureChannel(target), clientLoggingInterceptor({ logger: (entry) => log.info(entry) }));
 */
export function clientLoggingInterceptor(options: ClientLoggingOptions = {}): Required<ClientInterceptor> {
  if (options != null && typeof options === 'object')
    rejectUnknownOptions('clientLoggingInterceptor()', options, new Set(['logger', 'now']));
  const logger =
    options.logger ?? ((entry: ClientCallLogEntry) => console.info(formatClientCallLogEntry(entry)));
  const report = async (
    call: Call,
    kind: CallKind,
    method: string,
    start: number,
    now: () => number,
  ): Promise<void> => {
    const end = now();
    const [code, details] = await Promise.all([call.code(), call.details()]);
    logger({ method, kind, code, details, durationMs: end - start });
  };
  const make =
    (kind: CallKind) =>
    (
      // biome-ignore lint/suspicious/noExplicitAny: one function serves the four call kinds, whose continuations take different request types
      continuation: ((details: ClientCallDetails, request: any) => Call) & Partial<ContinuationExtras>,
      details: ClientCallDetails,
      request: unknown,
    ) => {
      // The channel's clock (fake time in tests) unless told otherwise.
      const clock = continuation.clock ?? systemClock;
      // On the system clock, durations come from the monotonic clock (fractions of a millisecond).
      const now = options.now ?? (clock === systemClock ? () => performance.now() : () => clock.now());
      const start = now();
      const call = continuation(details, request);
      call.addDoneCallback(() => {
        report(call, kind, details.method, start, now).catch((error: unknown) => {
          console.error('The gRPC client logging interceptor failed:', error);
        });
      });
      return call;
    };
  return {
    interceptUnaryUnary: make('unaryUnary'),
    interceptUnaryStream: make('unaryStream'),
    interceptStreamUnary: make('streamUnary'),
    interceptStreamStream: make('streamStream'),
  };
}
