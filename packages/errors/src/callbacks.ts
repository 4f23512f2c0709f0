import type { StatusCode } from '@grpc-aio/core';
/** What is logged when a telemetry recorder (a user's plugin) throws; the call goes on. */
export const TELEMETRY_FAILED = 'grpc-aio: a telemetry recorder failed';

/**
 * Reports an error that a user's callback threw (or a wrong value it returned) where grpc-aio
 * catches it so that it cannot break the call, RPC or server that ran the callback: logged with
 * `console.error`, the error with its stack after `message`, as Python's grpc logs such errors
 * (`_LOGGER.exception(...)`). Every callback error of grpc-aio goes this one way; API misuse is
 * reported with `process.emitWarning` instead.
 * @param message what failed, e.g. `Error in callback for method [/pkg.Service/Method]`.
 * @param error what the callback threw, or the error that says what is wrong with what it returned.
 */
export function reportCallbackError(message: string, error: unknown): void {
  console.error(message, error);
}

/**
 * Runs the done callbacks of one call or RPC in the order they were added, as Python's grpc.aio
 * does: the first callback that throws is logged ({@link reportCallbackError}, as Python's
 * `_LOGGER.exception("Error in callback for method [%s]")`) and the ones after it do not run. The
 * error never reaches the caller: a done callback cannot break the call or the server that runs it.
 * @param method the method path the call or RPC is for, named in the log line.
 * @returns false when a callback threw.
 */
export function runDoneCallbacks<T>(
  callbacks: readonly ((value: T) => void)[],
  value: T,
  method: string,
): boolean {
  for (const callback of callbacks) {
    try {
      callback(value);
    } catch (error) {
      reportCallbackError(
        method === '' ? 'Error in a done callback' : `Error in callback for method [${method}]`,
        error,
      );
      return false;
    }
  }
  return true;
}

/** What a call's end listener (`CALL_END`) is told: the final code and details. */
export type EndListener = (code: StatusCode, details: string) => void;

/** Tells an end listener how the call ended; one that throws is logged ({@link TELEMETRY_FAILED}). */
export function reportEnd(listener: EndListener, code: StatusCode, details: string): void {
  try {
    listener(code, details);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
  }
}
