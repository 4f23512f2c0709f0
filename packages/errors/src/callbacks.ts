/**
 * Runs the done callbacks of one call or RPC in the order they were added, as Python's grpc.aio
 * does: the first callback that throws is logged (`console.error`, with its stack, as Python's
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
      console.error(
        method === '' ? 'Error in a done callback' : `Error in callback for method [${method}]`,
        error,
      );
      return false;
    }
  }
  return true;
}
