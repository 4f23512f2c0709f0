// Node's setTimeout holds at most 2^31 - 1 ms (about 24.8 days): a longer delay fires at once,
// with a TimeoutOverflowWarning. The client's long waits (a call deadline past what grpc-js times, a
// channel's close grace) go through this instead.

const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs `callback` once `ms` milliseconds have passed, however many that is (waits longer than
 * setTimeout can hold are taken in legs). `ms` of Infinity never runs it.
 * @returns a function that cancels it.
 */
export function setLongTimeout(callback: () => void, ms: number, ref = true): () => void {
  if (!Number.isFinite(ms)) return () => {};
  const at = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = at - Date.now();
    timer = left > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(callback, Math.max(0, left));
    if (!ref) timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
