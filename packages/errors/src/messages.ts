// The messages of grpc.aio errors that users (and tests) match on, word for word as Python's
// grpc.aio raises them. Every package takes them from here.

/** An RPC started on a closed channel. */
export const CHANNEL_CLOSED = 'Channel is closed.';
/** `read()`/`write()` mixed with iteration (or with a request iterable) on one RPC. */
export const API_STYLES_MIXED = 'The iterator and read/write APIs may not be mixed on a single RPC.';
/** `write()` after `doneWriting()`. */
export const HALF_CLOSED = 'RPC is half closed after calling "done_writing".';
/** A call or server operation after the RPC ended. */
export const RPC_ALREADY_FINISHED = 'RPC already finished.';
/** The details of a locally cancelled call. */
export const LOCALLY_CANCELLED = 'Locally cancelled by application!';
/** `abort()` called twice. */
export const ABORT_ALREADY_CALLED = 'Abort already called!';
/** The message of the AbortError that `abort()` throws. */
export const LOCALLY_ABORTED = 'Locally aborted.';
/** `sendInitialMetadata()` called twice, or after a response. */
export const INITIAL_METADATA_ALREADY_SENT = 'Send initial metadata failed: already sent';
/** `start()` after `stop()`. */
export const SERVER_NOT_READY = 'Server not in ready state';
/** The details of an RPC for a method no handler serves. */
export const METHOD_NOT_FOUND = 'Method not found!';
/** The details of an RPC over the server's concurrency limit. */
export const CONCURRENT_RPC_LIMIT = 'Concurrent RPC limit exceeded!';
/** The details of a call whose deadline passed (C-core's, src/core/lib/surface/call.cc). */
export const DEADLINE_EXCEEDED = 'Deadline Exceeded';
/** Call credentials passed to a call on an insecure channel. */
export const CALL_CREDENTIALS_ON_INSECURE_CHANNEL = 'Call credentials are only valid on secure channels';
