import type { CallTelemetry, MethodHandlers, StatusCode } from '@grpc-aio/core';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import type { Metadata, MetadataLike } from '@grpc-aio/metadata';
import type { Time } from './time.js';

// The servicer harness's public contract: its options, how an RPC ended (Termination), and the
// test's handles on the RPCs it invokes (the `*ServerRpc` types). HarnessCall (harness-call.ts)
// implements the handles; FakeServer (servicer-harness.ts) makes them.

/** `sendRequest()` after `closeRequests()`. */
export const REQUESTS_ALREADY_CLOSED = 'sendRequest() after closeRequests().';

/** Services by name, each a map of method name to handler (Python's `server_from_dictionary`). */
export type ServicerMap = Readonly<Record<string, MethodHandlers>>;

/** Options of {@link serverFromHandlers}. */
export interface ServerHarnessOptions {
  /** The clock of deadlines and `timeRemaining()` (default {@link strictRealTime}). */
  time?: Time | undefined;
  /** Server interceptors, run for every RPC as a real server runs them (interceptors[0] outermost). */
  interceptors?: readonly ServerInterceptor[] | undefined;
  /** What `context.peer()` gives (default {@link FAKE_CLIENT_PEER}). */
  peer?: string | undefined;
  /** What `context.authContext()` gives (default: an insecure connection, as C-core describes it). */
  authContext?: Readonly<Record<string, readonly Uint8Array[]>> | undefined;
  /** The auth property naming the peer (default none: an unauthenticated peer). */
  peerIdentityKey?: string | undefined;
  /** Seconds of real time `takeResponse()` and `termination()` wait (default {@link DEFAULT_TAKE_TIMEOUT}). */
  takeTimeout?: number | undefined;
  /**
   * Telemetry for the harness's RPCs (an `OpenTelemetryPlugin`), in place of the globally
   * registered one: they record what a real server records (the server span and metrics, with the
   * handler running in the span's context). Messages pass by reference, so a message's size is
   * its byte length when it is a `Uint8Array`, and 0 otherwise.
   */
  telemetry?: CallTelemetry | null | undefined;
}

/** Options of the `invoke*` methods. */
export interface InvokeOptions {
  /** The client's metadata. */
  metadata?: MetadataLike | undefined;
  /** The client's timeout, in seconds on the harness's clock. */
  timeout?: number | undefined;
}
/** How an RPC ended, as the client would see it. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads the response of a method named by path without casts
export interface Termination<TResponse = any> {
  /** The response of a unary-response RPC that ended OK. */
  readonly response?: TResponse;
  readonly trailingMetadata: Metadata;
  readonly code: StatusCode;
  readonly details: string;
}

interface ServerRpcBase<TResponse> {
  /** The handler's initial metadata (empty if the RPC ended without sending any). */
  initialMetadata(): Promise<Metadata>;
  /** Cancels the RPC as a client would: the handler's signal aborts, its reads and writes reject. */
  cancel(): void;
  /** Resolves with how the RPC ended. */
  termination(): Promise<Termination<TResponse>>;
}
interface SendsRequests<TRequest> {
  /** Sends one request. @throws UsageError after `closeRequests()`. */
  sendRequest(request: TRequest): void;
  /** Half-closes the request stream (the handler reads EOF). */
  closeRequests(): void;
}
interface TakesResponses<TResponse> {
  /**
   * The next response. @throws Error when the RPC ended without another one, or none comes
   * within the take timeout.
   */
  takeResponse(): Promise<TResponse>;
}

// The response types default to `any`, as Termination's: a test reads the responses of a method
// named by path without casts. Requests are only sent, so any request is an `unknown`.

/** A unary-unary RPC the test invoked (Python's `grpc_testing.UnaryUnaryServerRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
export interface UnaryUnaryServerRpc<TResponse = any> extends ServerRpcBase<TResponse> {}
/** A unary-stream RPC (Python's `grpc_testing.UnaryStreamServerRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
export interface UnaryStreamServerRpc<TResponse = any>
  extends ServerRpcBase<TResponse>,
    TakesResponses<TResponse> {}
/** A stream-unary RPC (Python's `grpc_testing.StreamUnaryServerRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
export interface StreamUnaryServerRpc<TRequest = unknown, TResponse = any>
  extends ServerRpcBase<TResponse>,
    SendsRequests<TRequest> {}
/** A stream-stream RPC (Python's `grpc_testing.StreamStreamServerRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
export interface StreamStreamServerRpc<TRequest = unknown, TResponse = any>
  extends ServerRpcBase<TResponse>,
    SendsRequests<TRequest>,
    TakesResponses<TResponse> {}
