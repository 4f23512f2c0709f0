/**
 * Refuses an option a function does not take, rather than ignore it: throws a TypeError naming the
 * first key of `options` (with a value other than undefined) that `allowed` does not list, followed
 * by `hint(key)` when it has one.
 * @param what the function, as the message names it: `'insecureChannel()'`.
 */
export function rejectUnknownOptions(
  what: string,
  options: object,
  allowed: ReadonlySet<string>,
  hint?: (key: string) => string | undefined,
): void {
  for (const key in options) {
    if (allowed.has(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const extra = hint?.(key);
    throw new TypeError(
      `${what} does not take the option '${key}'${extra === undefined ? '' : ` (${extra})`}; it takes ${[...allowed].map((name) => `'${name}'`).join(', ')}.`,
    );
  }
}
