// Messages of the errors the client chain raises itself, as constants so that users and tests can
// match on them.

/**
 * The start of the details of the UNKNOWN status a call ends with when a client interceptor throws
 * something other than `AioRpcError` or `CancelledError` (the thrown value is kept as `cause`).
 * The full details read `Exception raised by a client interceptor: <Name>: <message>`.
 */
export const CLIENT_INTERCEPTOR_FAILED = 'Exception raised by a client interceptor';

/** A streaming-response interceptor returned something that is neither a call nor an iterable. */
export const STREAM_INTERCEPTOR_BAD_RESULT =
  'A streaming-response client interceptor must return a call or an (async) iterable of responses';
