import { isStatusCode, type StatusCode } from '@grpc-aio/core';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { CallInfo } from './call-info.js';
import { INVALID_TRAILING_METADATA } from './messages.js';

// The part of the ServicerContext that holds the status a handler set (code, details, trailing
// metadata), sent when the handler ends.

let trailers: (context: StatusContext) => Metadata | undefined;

/** The trailing metadata a handler set, or undefined when it set none. */
export function trailersOf(context: StatusContext): Metadata | undefined {
  return trailers(context);
}

/**
 * Trailing metadata a handler gave (`setTrailingMetadata()`, `abort()`), as Metadata; a TypeError
 * that says it is the trailing metadata (and why) when it cannot be sent.
 */
export function toTrailingMetadata(trailingMetadata: MetadataLike): Metadata {
  try {
    return Metadata.from(trailingMetadata);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`${INVALID_TRAILING_METADATA}: ${reason}`, { cause: error });
  }
}

/** What the handler set of its RPC's status. */
export abstract class StatusContext extends CallInfo {
  #code: StatusCode | undefined;
  #details: string | undefined;
  #trailingMetadata: Metadata | undefined;

  static {
    trailers = (context) => context.#trailingMetadata;
  }

  setTrailingMetadata(trailingMetadata: MetadataLike): void {
    this.#trailingMetadata = toTrailingMetadata(trailingMetadata);
  }

  trailingMetadata(): Metadata {
    return this.#trailingMetadata ?? new Metadata();
  }

  setCode(code: StatusCode): void {
    if (!isStatusCode(code)) throw new TypeError(`setCode() needs a StatusCode, got ${String(code)}.`);
    this.#code = code;
  }

  setDetails(details: string): void {
    if (typeof details !== 'string')
      throw new TypeError(`setDetails() needs a string, got ${typeof details}.`);
    this.#details = details;
  }

  code(): StatusCode | undefined {
    return this.#code;
  }

  /** The details set so far; `''` before any (as Python's). */
  details(): string {
    return this.#details ?? '';
  }
}
