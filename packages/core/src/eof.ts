/**
 * The end-of-stream sentinel: `read()` on a streaming call (or `context.read()` on the server)
 * returns `EOF` once the stream is over, and keeps returning it.
 *
 * It is a global symbol (`Symbol.for('grpc.aio.EOF')`), so every copy of this package, ESM or CJS,
 * shares the same value, and `message === EOF` narrows the type in TypeScript. Unlike Python's
 * `EOF` it is truthy: compare with `=== EOF` (or {@link isEOF}), not with `!message`.
 *
 * @example
 * for (;;) {
 *   const reply = await call.read();
 *   if (reply === EOF) break;
 *   console.log(reply.message);
 * }
 */
export const EOF: unique symbol = Symbol.for('grpc.aio.EOF') as never;
/** The type of {@link EOF}. */
export type EOF = typeof EOF;

/** True when `value` is the {@link EOF} sentinel. */
export function isEOF(value: unknown): value is EOF {
  return value === EOF;
}
