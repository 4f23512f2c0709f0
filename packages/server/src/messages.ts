// Messages of @grpc-aio/server that users (and tests) may match on. The ones Python's grpc.aio
// also raises come from @grpc-aio/errors.

/** The details of RPCs refused or cut off because the server is stopping. */
export const SERVER_SHUTTING_DOWN = 'Server is shutting down.';
/** The reason (`context.signal.reason` message) when the client cancelled the RPC. */
export const CANCELLED_BY_CLIENT = 'The RPC was cancelled by the client.';
/** The reason when the client's deadline passed. */
export const CANCELLED_BY_DEADLINE = 'The RPC deadline was exceeded.';
/** The reason when the server's stop() cancelled the RPC. */
export const CANCELLED_BY_SERVER_STOP = 'The RPC was cancelled because the server stopped.';
/**
 * The reason when the RPC was ended for a protocol problem (a malformed, oversized or undecodable
 * request, a response over the send limit).
 */
export const CANCELLED_BY_RUNTIME = 'The RPC was terminated by the gRPC runtime.';
/** `setCompression()` after initial metadata went out (Python's text; a RuntimeError there). */
export const COMPRESSION_AFTER_METADATA =
  'Compression setting must be specified before sending initial metadata';
/**
 * `server({ maximumConcurrentRpcs })` that is not a positive integer: Python's text (with the
 * camelCase name), followed by `, got <value>.`.
 */
export const MAXIMUM_CONCURRENT_RPCS_INVALID = 'maximumConcurrentRpcs should be a positive integer';
/**
 * The start of the TypeError `setTrailingMetadata()` and `abort()` throw for trailing metadata they
 * cannot send, followed by `: <what is wrong>` (Python: "Invalid trailing metadata type, expected
 * Tuple[Tuple[str, Union[str, bytes]]...]: <value>").
 */
export const INVALID_TRAILING_METADATA = 'Invalid trailing metadata';
/** `abort(StatusCode.OK)` (Python's AssertionError text; a UsageError here). */
export const ABORT_WITH_OK = 'Expecting non-ok status code.';
/** The code of the warning emitted when registered handlers are added after start(). */
export const LATE_REGISTRATION_WARNING_CODE = 'GRPC_AIO_SERVER_LATE_REGISTRATION';
/** `server()` with `grpc.so_reuseport` 1 on a Node that cannot set SO_REUSEPORT (before 22.12). */
export const REUSE_PORT_UNSUPPORTED =
  'grpc.so_reuseport=1 needs Node 22.12 or later (net listen({ reusePort })); on this Node a port is bound by one socket only. Use node:cluster to serve one port from several processes.';
/**
 * The code of the warning emitted when a handler that went on after its RPC ended (ignoring the
 * interruption) finally returns or throws: its result is discarded.
 */
export const HANDLER_ABANDONED_WARNING_CODE = 'GRPC_AIO_HANDLER_ABANDONED';
