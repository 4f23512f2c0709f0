import { rejectUnknownOptions } from '@grpc-aio/core/internal';

// Checks shared by the fakes' options: a value of the wrong type is a TypeError naming the option,
// never a default taken in silence.

/** The keys of TakeOptions: anything else is refused. */
const TAKE_OPTIONS = new Set(['timeout']);

function timeoutHint(key: string): string | undefined {
  return /timeout|deadline/i.test(key) ? 'give timeout, in seconds' : undefined;
}

/** Refuses `options` that are not an object, or that have a key not in `keys`. */
export function checkOptions(
  what: string,
  options: unknown,
  keys: ReadonlySet<string>,
  hint?: (key: string) => string | undefined,
): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(
      `${what} options must be an object, got ${options === null ? 'null' : typeof options}.`,
    );
  rejectUnknownOptions(what, options, keys, hint);
}

/**
 * The checks of a fake's factory (`fakeChannel()`, `serverFromHandlers()`): `options` is an object
 * of known keys, with a Time as `time` and a number of seconds as `takeTimeout`, when given.
 */
export function checkFakeOptions(what: string, options: unknown, keys: ReadonlySet<string>): void {
  checkOptions(what, options, keys);
  const { time, takeTimeout } = options as { time?: unknown; takeTimeout?: unknown };
  checkTimeOption(what, time);
  checkTakeTimeoutOption(what, takeTimeout);
}

/** Refuses a key a `take*` does not take; @returns its timeout. */
export function takeTimeoutOf(what: string, options: object | undefined): number | undefined {
  if (options == null) return undefined;
  checkOptions(what, options, TAKE_OPTIONS, timeoutHint);
  return (options as { timeout?: number }).timeout;
}

/** `time` must be a Time (`strictFakeTime()`, `strictRealTime()`), when given. */
function checkTimeOption(what: string, time: unknown): void {
  if (time != null && typeof (time as { time?: unknown }).time !== 'function') {
    throw new TypeError(`${what} option time must be a Time (strictFakeTime(), strictRealTime()).`);
  }
}

/** `takeTimeout` must be a number of seconds >= 0, when given. */
function checkTakeTimeoutOption(what: string, takeTimeout: unknown): void {
  if (takeTimeout != null && (typeof takeTimeout !== 'number' || !(takeTimeout >= 0))) {
    throw new TypeError(
      `${what} option takeTimeout must be a number of seconds >= 0, got ${typeof takeTimeout === 'string' ? `'${takeTimeout}'` : String(takeTimeout)}.`,
    );
  }
}

/** A string option must be a string, when given. */
export function checkStringOption(what: string, name: string, value: unknown): void {
  if (value != null && typeof value !== 'string')
    throw new TypeError(`${what} option ${name} must be a string, got ${typeof value}.`);
}

/** A boolean option must be a boolean, when given. */
export function checkBooleanOption(what: string, name: string, value: unknown): void {
  if (value != null && typeof value !== 'boolean')
    throw new TypeError(`${what} option ${name} must be a boolean, got ${typeof value}.`);
}
