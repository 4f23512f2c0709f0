import { isStatusCode, type StatusCode, type StatusLike, statusCodeToString } from '@grpc-aio/core';
import { Metadata, type MetadataLike, type ReadonlyMetadata } from '@grpc-aio/metadata';
import { installBrand } from '@grpc-aio/metadata/internal';
import { LOCALLY_CANCELLED } from './messages.js';

// Names live on the prototypes (as for built-in errors), set explicitly so a bundler that renames
// classes cannot change what users see; the brand makes instanceof work across duplicate copies.
function defineError(cls: abstract new (...args: never[]) => object, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  installBrand(cls, `@grpc-aio/errors.${name}`);
}

/**
 * Options every error takes: the underlying cause, kept on `error.cause`. Passed through unchanged
 * to `Error`'s constructor (ES2022's `ErrorOptions`), which reads `cause` and nothing else; they
 * are not checked here, so that making an error stays cheap on the paths that fail calls.
 */
export interface ErrorOptions {
  cause?: unknown;
}

/** The base of the errors the grpc-aio stack raises itself (Python's `aio.BaseError`). */
export class BaseError extends Error {}
defineError(BaseError, 'BaseError');

/**
 * Misuse of the API: an RPC on a closed channel, mixing the iterator and read/write styles on one
 * call, aborting twice, ... (Python's `aio.UsageError`). Do not suppress it: fix the code.
 */
export class UsageError extends BaseError {}
defineError(UsageError, 'UsageError');

/**
 * Thrown by `ServicerContext.abort()` to unwind the handler (Python's `aio.AbortError`). Let it
 * propagate; catch it only to clean up, then rethrow.
 */
export class AbortError extends BaseError {}
defineError(AbortError, 'AbortError');

/** An unexpected failure inside the runtime (Python's `aio.InternalError`). */
export class InternalError extends BaseError {}
defineError(InternalError, 'InternalError');

/**
 * An operation not allowed in the call's current state, such as `write()` after `doneWriting()`
 * (Python raises `asyncio.InvalidStateError`).
 */
export class InvalidStateError extends Error {}
defineError(InvalidStateError, 'InvalidStateError');

/**
 * The call was cancelled locally (by `cancel()`, an AbortSignal, or closing the channel). Awaiting or
 * reading such a call rejects with this error, not with `AioRpcError`, as Python raises
 * `asyncio.CancelledError`; `call.code()` still resolves CANCELLED.
 */
export class CancelledError extends Error {
  constructor(message: string = LOCALLY_CANCELLED, options?: ErrorOptions) {
    super(message, options);
  }
}
defineError(CancelledError, 'CancelledError');

/** The base of RPC errors (Python's `grpc.RpcError`). */
export class RpcError extends Error {}
defineError(RpcError, 'RpcError');

/**
 * A final status: code, details and trailing metadata (Python's `grpc.Status`). Used with
 * `context.abortWithStatus()`.
 */
export class Status implements StatusLike {
  readonly code: StatusCode;
  readonly details: string;
  readonly trailingMetadata: ReadonlyMetadata;

  constructor(code: StatusCode, details = '', trailingMetadata?: MetadataLike | null) {
    if (!isStatusCode(code)) throw new TypeError(`Status code must be a StatusCode, got ${String(code)}.`);
    this.code = code;
    this.details = details;
    this.trailingMetadata = Metadata.from(trailingMetadata);
    Object.freeze(this);
  }
}
installBrand(Status, '@grpc-aio/errors.Status');

/** The fields of an AioRpcError, in a serialisable form (see `AioRpcError.toJSON`). */
export interface AioRpcErrorJSON {
  name: 'AioRpcError';
  code: StatusCode;
  details: string | null;
  debugErrorString: string | null;
  initialMetadata: [string, string | { base64: string }][];
  trailingMetadata: [string, string | { base64: string }][];
}

function metadataToJSON(metadata: Metadata): AioRpcErrorJSON['initialMetadata'] {
  return [...metadata].map(([key, value]) => [
    key,
    typeof value === 'string' ? value : { base64: Buffer.from(value).toString('base64') },
  ]);
}

function metadataFromJSON(pairs: AioRpcErrorJSON['initialMetadata']): Metadata {
  return Metadata.fromTuple(
    pairs.map(([key, value]) => [
      key,
      typeof value === 'string' ? value : Buffer.from(value.base64, 'base64'),
    ]),
  );
}

/**
 * Python's representation of an RPC that ended (AioRpcError's, and a finished call's):
 * `<Name of RPC that terminated with:\n\tstatus = StatusCode.X\n\tdetails = "..."\n\tdebug_error_string = "..."\n>`.
 * Undefined details or debug string print as `None`, as Python's do.
 */
export function terminatedRepr(
  name: string,
  code: StatusCode,
  details: string | undefined,
  debugErrorString: string | undefined,
): string {
  return (
    `<${name} of RPC that terminated with:\n` +
    `\tstatus = ${statusCodeToString(code)}\n` +
    `\tdetails = "${details ?? 'None'}"\n` +
    `\tdebug_error_string = "${debugErrorString ?? 'None'}"\n` +
    '>'
  );
}

/**
 * The error of an RPC that ended with a non-OK status (Python's `aio.AioRpcError`): a snapshot of
 * the final status, so its accessors are synchronous. It keeps both metadata sets, the debug
 * string and the transport's error as `cause`.
 *
 * `toString()` gives Python's representation:
 * ```
 * <AioRpcError of RPC that terminated with:
 * 	status = StatusCode.NOT_FOUND
 * 	details = "no such user"
 * 	debug_error_string = "..."
 * >
 * ```
 */
export class AioRpcError extends RpcError {
  readonly #code: StatusCode;
  readonly #details: string | undefined;
  readonly #debugErrorString: string | undefined;
  readonly #initialMetadata: Metadata;
  readonly #trailingMetadata: Metadata;

  constructor(
    code: StatusCode,
    initialMetadata?: MetadataLike | null,
    trailingMetadata?: MetadataLike | null,
    details?: string | null,
    debugErrorString?: string | null,
    options?: ErrorOptions,
  ) {
    super(undefined, options);
    if (!isStatusCode(code))
      throw new TypeError(`AioRpcError code must be a StatusCode, got ${String(code)}.`);
    this.#code = code;
    this.#details = details ?? undefined;
    this.#debugErrorString = debugErrorString ?? undefined;
    this.#initialMetadata = Metadata.from(initialMetadata);
    this.#trailingMetadata = Metadata.from(trailingMetadata);
    // A one-line message for stack traces; toString() gives Python's multi-line representation.
    this.message = `${statusCodeToString(code)}: ${this.#details ?? ''}`;
  }

  /** The status code the server (or the runtime) ended the RPC with. */
  code(): StatusCode {
    return this.#code;
  }

  /** The status message, or undefined when there was none. */
  details(): string | undefined {
    return this.#details;
  }

  /** The runtime's debug description of the failure, or undefined. */
  debugErrorString(): string | undefined {
    return this.#debugErrorString;
  }

  /** The server's initial metadata (empty if none arrived). */
  initialMetadata(): Metadata {
    return this.#initialMetadata;
  }

  /** The server's trailing metadata (empty if none arrived). */
  trailingMetadata(): Metadata {
    return this.#trailingMetadata;
  }

  /** The status as a {@link Status}. */
  status(): Status {
    return new Status(this.#code, this.#details ?? '', this.#trailingMetadata);
  }

  override toString(): string {
    return terminatedRepr(this.name, this.#code, this.#details, this.#debugErrorString);
  }

  /** A plain-data form that {@link AioRpcError.fromJSON} turns back into an equal error. */
  toJSON(): AioRpcErrorJSON {
    return {
      name: 'AioRpcError',
      code: this.#code,
      details: this.#details ?? null,
      debugErrorString: this.#debugErrorString ?? null,
      initialMetadata: metadataToJSON(this.#initialMetadata),
      trailingMetadata: metadataToJSON(this.#trailingMetadata),
    };
  }

  /** Rebuilds an error from {@link AioRpcError.toJSON}'s output (Python pickles it with `__reduce__`). */
  static fromJSON(json: AioRpcErrorJSON): AioRpcError {
    return new AioRpcError(
      json.code,
      metadataFromJSON(json.initialMetadata),
      metadataFromJSON(json.trailingMetadata),
      json.details,
      json.debugErrorString,
    );
  }
}
defineError(AioRpcError, 'AioRpcError');
