import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { isPromiseLike } from './call-utils.js';
import type { ClientCallDetails } from './client-call-details.js';
import type { ClientInterceptor } from './client-interceptor.js';

/** Where the metadata to add comes from: fixed pairs, or a (possibly async) function of the call. */
export type MetadataSource =
  | MetadataLike
  | ((details: ClientCallDetails) => MetadataLike | PromiseLike<MetadataLike>);

/** Options of {@link metadataInterceptor}. */
export interface MetadataInterceptorOptions {
  /**
   * When true, a key the source provides replaces every value the caller set for it; by default
   * the source's entries are appended after the caller's.
   */
  replace?: boolean;
}

const OPTIONS = new Set(['replace']);

function merge(details: ClientCallDetails, extra: MetadataLike, replace: boolean): ClientCallDetails {
  const added = Metadata.from(extra);
  const metadata = details.metadata.copy();
  if (replace) for (const key of new Set(added.keys())) metadata.deleteAll(key);
  for (const [key, value] of added) metadata.add(key, value);
  return details.with({ metadata });
}

/**
 * A client interceptor, for all four call kinds, that adds metadata to every call: fixed pairs, or
 * the result of a function of the call details (sync or async: fetching an auth token, for
 * example). If the function throws or rejects, the call fails without being started (an
 * `AioRpcError` it throws is the call's error, anything else gives UNKNOWN).
 *
 * @example
 * const auth = metadataInterceptor(async () => [['authorization', `Bearer ${await tokens.get()}`]], { replace: true });
 * const channel = interceptChannel(insecureChannel(target), auth);
 *
 * @throws TypeError at once for invalid fixed metadata, an option it does not take, or a
 *   `replace` that is not a boolean.
 */
export function metadataInterceptor(
  source: MetadataSource,
  options: MetadataInterceptorOptions = {},
): Required<ClientInterceptor> {
  if (options != null) rejectUnknownOptions('metadataInterceptor()', options, OPTIONS);
  const replace = options?.replace ?? false;
  if (typeof replace !== 'boolean') {
    throw new TypeError(`metadataInterceptor() option replace must be a boolean, got ${typeof replace}.`);
  }
  let resolve: (details: ClientCallDetails) => ClientCallDetails | Promise<ClientCallDetails>;
  if (typeof source === 'function') {
    resolve = (details) => {
      const extra = source(details);
      return isPromiseLike(extra)
        ? Promise.resolve(extra).then((value) => merge(details, value, replace))
        : merge(details, extra, replace);
    };
  } else {
    // Validated now, so a mistake shows at setup rather than on the first call.
    const fixed = Metadata.from(source).copy();
    resolve = (details) => merge(details, fixed, replace);
  }
  // Sync when the metadata is known at once, so the caller's call is the channel's call at once.
  const intercept = (
    // biome-ignore lint/suspicious/noExplicitAny: one function serves the four call kinds, whose continuations take different request types
    continuation: (details: ClientCallDetails, request: any) => unknown,
    details: ClientCallDetails,
    request: unknown,
  ) => {
    const next = resolve(details);
    return next instanceof Promise
      ? next.then((nextDetails) => continuation(nextDetails, request))
      : continuation(next, request);
  };
  return {
    interceptUnaryUnary: intercept,
    interceptUnaryStream: intercept,
    interceptStreamUnary: intercept,
    interceptStreamStream: intercept,
  };
}
