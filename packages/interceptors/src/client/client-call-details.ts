import type { CallCredentials, CallOptions, Compression } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { Metadata, type MetadataLike, type ReadonlyMetadata } from '@grpc-aio/metadata';

// Read-only views of copies made here: nobody else holds their mutable side, so `with()` can share
// them between records instead of copying again.
const owned = new WeakSet<object>();

function ownReadonly(metadata: MetadataLike | null | undefined): ReadonlyMetadata {
  if (metadata != null && owned.has(metadata)) return metadata as ReadonlyMetadata;
  const view = Metadata.from(metadata).copy().asReadonly();
  owned.add(view);
  return view;
}

/** The keys of {@link ClientCallDetailsInit}: anything else is refused. */
const INIT_KEYS = new Set(['method', 'timeout', 'metadata', 'credentials', 'waitForReady', 'compression']);
/** The keys of a call's options (the channel's): anything else is refused, as the channel refuses it. */
const CALL_OPTIONS = new Set(['timeout', 'metadata', 'credentials', 'waitForReady', 'compression', 'signal']);

function deadlineHint(key: string): string | undefined {
  return key === 'deadline' ? 'give timeout, in seconds' : undefined;
}

/** The fields of a {@link ClientCallDetails}, as given to its constructor and to `with()`. */
export interface ClientCallDetailsInit {
  /** The full method path, `'/package.Service/Method'`. */
  method: string;
  /** Seconds from the start of this attempt to its deadline; undefined means no deadline. */
  timeout?: number | null | undefined;
  /** Metadata to send (copied into a read-only `Metadata`). */
  metadata?: MetadataLike | null | undefined;
  /** Per-call credentials. */
  credentials?: CallCredentials | null | undefined;
  /** Queue the RPC until the channel is READY. */
  waitForReady?: boolean | null | undefined;
  /** Compression for the requests of this call. */
  compression?: Compression | null | undefined;
}

/**
 * What a client interceptor knows of an outgoing RPC (Python's `aio.ClientCallDetails`): an
 * immutable record. To change something, pass a modified copy to the continuation:
 * `continuation(details.with({ timeout: 5 }), request)`.
 *
 * `metadata` is always a read-only `Metadata` (empty when the caller sent none): add entries with
 * `details.with({ metadata: details.metadata.concat([['key', 'value']]) })`; mutating it in place
 * throws `TypeError` "Metadata is read-only." (Python interceptors often mutate a copy instead).
 */
export class ClientCallDetails {
  /** The full method path, `'/package.Service/Method'`. */
  readonly method: string;
  /**
   * Seconds to the deadline, counted from when the next call down the chain starts (as in Python),
   * or undefined for no deadline.
   */
  readonly timeout: number | undefined;
  /** The metadata to send: read-only, empty when there is none. */
  readonly metadata: ReadonlyMetadata;
  /** Per-call credentials, if any. */
  readonly credentials: CallCredentials | undefined;
  /** Whether to wait for the channel to be READY, if set. */
  readonly waitForReady: boolean | undefined;
  /** Compression for the requests, if set. */
  readonly compression: Compression | undefined;

  /**
   * @throws TypeError when `method` is not a string, `timeout` not a number, metadata is invalid,
   *   or `init` has a key that is not a field.
   */
  constructor(init: ClientCallDetailsInit) {
    rejectUnknownOptions('new ClientCallDetails()', init, INIT_KEYS, deadlineHint);
    if (typeof init.method !== 'string') {
      throw new TypeError(`ClientCallDetails method must be a string, got ${typeof init.method}.`);
    }
    if (init.timeout != null && (typeof init.timeout !== 'number' || Number.isNaN(init.timeout))) {
      throw new TypeError(
        `ClientCallDetails timeout must be a number of seconds, got ${String(init.timeout)}.`,
      );
    }
    this.method = init.method;
    this.timeout = init.timeout ?? undefined;
    this.metadata = ownReadonly(init.metadata);
    this.credentials = init.credentials ?? undefined;
    this.waitForReady = init.waitForReady ?? undefined;
    this.compression = init.compression ?? undefined;
    Object.freeze(this);
  }

  /**
   * Builds the details of a call from its method and the caller's options.
   * @throws TypeError for an option a call does not take (as the channel refuses it: an
   *   intercepted call must not drop it silently).
   */
  static fromOptions(method: string, options: CallOptions | undefined): ClientCallDetails {
    if (options != null) rejectUnknownOptions('A call', options, CALL_OPTIONS, deadlineHint);
    return new ClientCallDetails({
      method,
      timeout: options?.timeout,
      metadata: options?.metadata,
      credentials: options?.credentials,
      waitForReady: options?.waitForReady,
      compression: options?.compression,
    });
  }

  /**
   * A copy with some fields replaced (Python: `client_call_details._replace(...)`). A field given as
   * `undefined` or `null` is cleared; a field not given is kept.
   * @throws TypeError for a key that is not a field (`deadline`, a misspelt `metaData`).
   */
  with(changes: Partial<ClientCallDetailsInit>): ClientCallDetails {
    rejectUnknownOptions('ClientCallDetails.with()', changes, INIT_KEYS, deadlineHint);
    const pick = <K extends keyof ClientCallDetailsInit>(key: K): ClientCallDetailsInit[K] =>
      (Object.hasOwn(changes, key) ? changes[key] : this[key]) as ClientCallDetailsInit[K];
    return new ClientCallDetails({
      method: pick('method') as string,
      timeout: pick('timeout'),
      metadata: pick('metadata'),
      credentials: pick('credentials'),
      waitForReady: pick('waitForReady'),
      compression: pick('compression'),
    });
  }

  /** The per-call options this record stands for (the end of the chain passes them to the channel). */
  toCallOptions(signal?: AbortSignal): CallOptions {
    return {
      timeout: this.timeout,
      metadata: this.metadata,
      credentials: this.credentials,
      waitForReady: this.waitForReady,
      compression: this.compression,
      signal,
    };
  }
}
