import type { ClientCallDetails } from './client-call-details.js';
import type { ClientInterceptor } from './client-interceptor.js';

/**
 * A client interceptor, for all four call kinds, that gives calls without a timeout this one
 * (seconds); a call that has its own timeout keeps it.
 *
 * @example
 * const channel = interceptChannel(insecureChannel(target), defaultTimeoutInterceptor(5));
 *
 * @throws RangeError when `seconds` is not a positive finite number.
 */
export function defaultTimeoutInterceptor(seconds: number): Required<ClientInterceptor> {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`Default timeout must be a positive number of seconds, got ${String(seconds)}.`);
  }
  const intercept = (
    // biome-ignore lint/suspicious/noExplicitAny: one function serves the four call kinds, whose continuations take different request types
    continuation: (details: ClientCallDetails, request: any) => unknown,
    details: ClientCallDetails,
    request: unknown,
  ) => continuation(details.timeout === undefined ? details.with({ timeout: seconds }) : details, request);
  return {
    interceptUnaryUnary: intercept,
    interceptUnaryStream: intercept,
    interceptStreamUnary: intercept,
    interceptStreamStream: intercept,
  };
}
