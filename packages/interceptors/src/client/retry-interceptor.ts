import { StatusCode, sleepOn, systemClock } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { AioRpcError } from '@grpc-aio/errors';
import type { ClientCallDetails } from './client-call-details.js';
import type { UnaryUnaryClientInterceptor, UnaryUnaryContinuation } from './client-interceptor.js';

/** Options of {@link retryInterceptor}. Durations are in seconds, as timeouts are. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Status codes worth another attempt (default `[StatusCode.UNAVAILABLE]`). */
  retryableCodes?: readonly StatusCode[];
  /** The backoff before the second attempt, in seconds (default 0.1). */
  initialBackoff?: number;
  /** The largest backoff, in seconds (default 5). */
  maxBackoff?: number;
  /** How much the backoff grows after each attempt (default 2). */
  backoffMultiplier?: number;
  /**
   * Randomisation of each backoff, as a fraction: 0.2 (the default) waits between 80% and 120% of
   * the nominal backoff, so that clients do not retry in lockstep.
   */
  jitter?: number;
  /**
   * Waits `seconds`, or less when `signal` aborts. Default: a timer on the channel's clock
   * (`continuation.clock`, so the testing package's fake time reaches it).
   */
  sleep?: (seconds: number, signal: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). For tests. */
  random?: () => number;
  /** The clock, in milliseconds (default: the channel's clock, `continuation.clock`). */
  now?: () => number;
}

function checkNumber(name: string, value: number, min: number, integer = false): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new RangeError(
      `retryInterceptor ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}.`,
    );
  }
}

/**
 * A unary-unary client interceptor that makes the call again when it fails with one of
 * `retryableCodes`, after an exponential backoff with jitter. It respects the call's deadline: each
 * attempt gets the time left as its timeout, and no attempt starts (and no backoff is waited) past
 * the deadline. When it gives up, the caller's call is the last attempt: its error, code, details
 * and metadata. A cancel during the backoff stops the retries.
 *
 * Only for idempotent methods: a failed attempt may have had effects on the server. Streaming
 * calls are not retried (their requests would have to be buffered). grpc-js also has transparent
 * retries and service-config retry policies; this interceptor is the simple, explicit kind.
 *
 * @example
 * const channel = interceptChannel(insecureChannel(target), retryInterceptor({ maxAttempts: 4, retryableCodes: [StatusCode.UNAVAILABLE, StatusCode.RESOURCE_EXHAUSTED] }));
 *
 * @throws RangeError for an option out of range.
 */
export function retryInterceptor(options: RetryOptions = {}): UnaryUnaryClientInterceptor {
  if (options != null && typeof options === 'object')
    rejectUnknownOptions(
      'retryInterceptor()',
      options,
      new Set([
        'maxAttempts',
        'retryableCodes',
        'initialBackoff',
        'maxBackoff',
        'backoffMultiplier',
        'jitter',
        'sleep',
        'random',
        'now',
      ]),
    );
  const maxAttempts = options.maxAttempts ?? 3;
  const initialBackoff = options.initialBackoff ?? 0.1;
  const maxBackoff = options.maxBackoff ?? 5;
  const multiplier = options.backoffMultiplier ?? 2;
  const jitter = options.jitter ?? 0.2;
  checkNumber('maxAttempts', maxAttempts, 1, true);
  checkNumber('initialBackoff', initialBackoff, 0);
  checkNumber('maxBackoff', maxBackoff, initialBackoff);
  checkNumber('backoffMultiplier', multiplier, 1);
  checkNumber('jitter', jitter, 0);
  if (jitter > 1) throw new RangeError(`retryInterceptor jitter must be at most 1, got ${jitter}.`);
  const codes = new Set<StatusCode>(options.retryableCodes ?? [StatusCode.UNAVAILABLE]);
  const random = options.random ?? Math.random;

  return {
    async interceptUnaryUnary(
      continuation: UnaryUnaryContinuation<unknown, unknown>,
      details: ClientCallDetails,
      request: unknown,
    ) {
      // The channel's clock (fake time in tests) unless told otherwise.
      const clock = continuation.clock ?? systemClock;
      const now = options.now ?? (() => clock.now());
      const sleep =
        options.sleep ?? ((seconds: number, signal: AbortSignal) => sleepOn(clock, seconds, signal));
      const deadline = details.timeout === undefined ? undefined : now() + details.timeout * 1000;
      let backoff = initialBackoff;
      for (let attempt = 1; ; attempt++) {
        const attemptDetails =
          deadline === undefined
            ? details
            : details.with({ timeout: Math.max(0, (deadline - now()) / 1000) });
        const call = continuation(attemptDetails, request);
        try {
          // Returning the awaited response (or rethrowing the call's own error) makes the caller's
          // call this attempt's call, metadata and all.
          return await call;
        } catch (error) {
          if (!(error instanceof AioRpcError) || !codes.has(error.code()) || attempt >= maxAttempts)
            throw error;
          const delay = Math.min(backoff, maxBackoff) * (1 + jitter * (2 * random() - 1));
          backoff = Math.min(backoff * multiplier, maxBackoff);
          if (deadline !== undefined && now() + delay * 1000 >= deadline) throw error;
          if (continuation.signal.aborted) throw error;
          await sleep(delay, continuation.signal);
          if (continuation.signal.aborted) throw error;
        }
      }
    },
  };
}
