import type { Metadata, MetadataLike } from '@grpc-aio/metadata';
import type { ChannelOption } from './channel.js';
import type { ServerCredentials } from './credentials.js';
import type { Compression, StatusCode } from './enums.js';
import type { EOF } from './eof.js';
import type { Deserializer, Serializer } from './serialization.js';

/** A final status: code, message and trailing metadata (Python's `grpc.Status`). */
export interface StatusLike {
  readonly code: StatusCode;
  readonly details: string;
  readonly trailingMetadata: MetadataLike;
}

/**
 * The server side of one RPC, handed to every handler (Python's `aio.ServicerContext`).
 */
export interface ServicerContext<TRequest = unknown, TResponse = unknown> {
  /**
   * The next request of a request-streaming RPC, or {@link EOF} once the client is done writing.
   * Reads may be mixed with iterating the request stream (as in Python): each takes the next
   * request in the order it asked.
   */
  read(): Promise<TRequest | EOF>;
  /**
   * Sends one response of a response-streaming RPC; sends initial metadata first if not yet sent.
   */
  write(message: TResponse): Promise<void>;
  /**
   * Sends initial metadata now. At most once, and not after the first response.
   * @throws UsageError "Send initial metadata failed: already sent".
   */
  sendInitialMetadata(initialMetadata: MetadataLike): Promise<void>;
  /**
   * Ends the RPC at once with a non-OK status and throws `AbortError`, which the handler should let
   * propagate. Empty `details` or trailing metadata fall back to what `setDetails` /
   * `setTrailingMetadata` set earlier. If the handler swallows the error, this status still wins.
   * @throws AbortError always; UsageError "Abort already called!" on a second call.
   */
  abort(code: StatusCode, details?: string, trailingMetadata?: MetadataLike): Promise<never>;
  /** `abort(status.code, status.details, status.trailingMetadata)`. */
  abortWithStatus(status: StatusLike): Promise<never>;
  /**
   * Sets the trailing metadata sent with the status (validated now).
   * @throws TypeError for a bad element.
   */
  setTrailingMetadata(trailingMetadata: MetadataLike): void;
  /** The trailing metadata set so far (empty if none). */
  trailingMetadata(): Metadata;
  /** The metadata the client sent. */
  invocationMetadata(): Metadata;
  /**
   * Sets the status code sent when the handler returns. A non-OK code makes the RPC end with that
   * code and drops the handler's response.
   */
  setCode(code: StatusCode): void;
  /** Sets the status message sent when the handler returns. */
  setDetails(details: string): void;
  /** The code set with `setCode` (or by abort), undefined if none. */
  code(): StatusCode | undefined;
  /** The details set with `setDetails` (or by abort), `''` if none (as Python's). */
  details(): string;
  /** Compression for this RPC's responses; only before initial metadata is sent. */
  setCompression(compression: Compression): void;
  /** Sends the next response uncompressed. */
  disableNextMessageCompression(): void;
  /** The client's address as the runtime describes it, e.g. `'ipv4:127.0.0.1:53514'`. */
  peer(): string;
  /** The authenticated identities of the peer, or undefined for an unauthenticated call. */
  peerIdentities(): Uint8Array[] | undefined;
  /** The auth property that names the peer (e.g. `'x509_common_name'`), or undefined. */
  peerIdentityKey(): string | undefined;
  /** Auth properties: name to values. */
  authContext(): Record<string, Uint8Array[]>;
  /** Seconds to the client's deadline, or undefined when it set none. */
  timeRemaining(): number | undefined;
  /** True once the client cancelled the RPC (or its deadline passed). */
  cancelled(): boolean;
  /** True once the RPC is over. */
  done(): boolean;
  /** Registers `callback(context)` to run once when the RPC ends (at once if it already has). */
  addDoneCallback(callback: (context: this) => void): void;
  /**
   * Our addition: aborted when the client cancels or the deadline passes, so handlers can pass it
   * to `fetch` and timers.
   */
  readonly signal: AbortSignal;
}

/** A unary-unary handler: returns (or resolves to) the response. */
export type UnaryUnaryBehavior<TRequest = unknown, TResponse = unknown> = (
  request: TRequest,
  context: ServicerContext<TRequest, TResponse>,
) => TResponse | Promise<TResponse>;

/**
 * A unary-stream handler: an async generator yielding responses, or a function that writes with
 * `context.write()` and returns nothing.
 */
export type UnaryStreamBehavior<TRequest = unknown, TResponse = unknown> = (
  request: TRequest,
  context: ServicerContext<TRequest, TResponse>,
) => AsyncIterable<TResponse> | Iterable<TResponse> | undefined | Promise<void>;

/** A stream-unary handler: receives the request stream (or uses `context.read()`), returns the response. */
export type StreamUnaryBehavior<TRequest = unknown, TResponse = unknown> = (
  requests: AsyncIterable<TRequest>,
  context: ServicerContext<TRequest, TResponse>,
) => TResponse | Promise<TResponse>;

/** A stream-stream handler: receives the request stream; yields or writes responses. */
export type StreamStreamBehavior<TRequest = unknown, TResponse = unknown> = (
  requests: AsyncIterable<TRequest>,
  context: ServicerContext<TRequest, TResponse>,
) => AsyncIterable<TResponse> | Iterable<TResponse> | undefined | Promise<void>;

/**
 * How to serve one method (Python's `grpc.RpcMethodHandler`): its kind, codecs and behaviour.
 * Exactly the behaviour matching `requestStreaming`/`responseStreaming` is set.
 */
// The bare `RpcMethodHandler` (servers, MethodHandlers) takes handlers of any message types: TRequest
// and TResponse are both returned (codecs) and taken (behaviours, serializers), so neither `unknown`
// nor `never` as default would accept a typed handler.
// biome-ignore lint/suspicious/noExplicitAny: the only default every typed handler is assignable to
export interface RpcMethodHandler<TRequest = any, TResponse = any> {
  readonly requestStreaming: boolean;
  readonly responseStreaming: boolean;
  /** Decodes request bytes; absent means requests arrive as bytes. */
  readonly requestDeserializer?: Deserializer<TRequest> | null | undefined;
  /** Encodes responses; absent means responses must be bytes. */
  readonly responseSerializer?: Serializer<TResponse> | null | undefined;
  readonly unaryUnary?: UnaryUnaryBehavior<TRequest, TResponse> | null | undefined;
  readonly unaryStream?: UnaryStreamBehavior<TRequest, TResponse> | null | undefined;
  readonly streamUnary?: StreamUnaryBehavior<TRequest, TResponse> | null | undefined;
  readonly streamStream?: StreamStreamBehavior<TRequest, TResponse> | null | undefined;
}

/** What a server knows of an incoming RPC before choosing its handler (Python's `grpc.HandlerCallDetails`). */
export interface HandlerCallDetails {
  /** The full method path, `'/package.Service/Method'`. */
  readonly method: string;
  /** The metadata the client sent. */
  readonly invocationMetadata: Metadata;
}

/** Finds the handler of an RPC by its details, or returns null/undefined to decline it. */
export interface GenericRpcHandler {
  service(handlerCallDetails: HandlerCallDetails): RpcMethodHandler | null | undefined;
}

/** A generic handler serving one named service (Python's `grpc.ServiceRpcHandler`). */
export interface ServiceRpcHandler extends GenericRpcHandler {
  /** The service's full name, e.g. `'helloworld.Greeter'`. */
  serviceName(): string;
}

/** Method name (as in the .proto, e.g. `'SayHello'`) to handler. */
export type MethodHandlers = Readonly<Record<string, RpcMethodHandler>>;

/**
 * A gRPC server (Python's `aio.Server`). `await using srv = server()` stops it without grace on
 * scope exit.
 */
export interface Server extends AsyncDisposable {
  /** Adds generic handlers (safest before `start()`; later ones serve RPCs that start after, as in Python). */
  addGenericRpcHandlers(genericRpcHandlers: readonly GenericRpcHandler[]): void;
  /**
   * Adds the handlers of one service by method name; only before `start()`. They are consulted
   * before generic handlers.
   */
  addRegisteredMethodHandlers(serviceName: string, methodHandlers: MethodHandlers): void;
  /**
   * Opens an insecure port, e.g. `'127.0.0.1:0'` (port 0 lets the system choose). Unlike Python this
   * is async: binding is asynchronous in Node.
   * @returns the bound port.
   */
  addInsecurePort(address: string): Promise<number>;
  /** Opens a port with TLS credentials. @returns the bound port. */
  addSecurePort(address: string, serverCredentials: ServerCredentials): Promise<number>;
  /** Starts serving. A second call while running does nothing; after `stop()` it throws UsageError. */
  start(): Promise<void>;
  /**
   * Stops the server: no new RPCs from now on. Without `grace` (or null) active RPCs are cancelled
   * at once; with `grace` seconds they may finish until then. Resolves once every handler has
   * ended. A later call with a smaller grace shortens the wait; a larger one does not extend it.
   */
  stop(grace?: number | null): Promise<void>;
  /**
   * Resolves once the server has stopped, or after `timeout` seconds.
   * @returns true when it timed out.
   */
  waitForTermination(timeout?: number | null): Promise<boolean>;
}

/** The options of a server (Python's `aio.server()` keyword arguments). */
export interface ServerOptions<TInterceptor = unknown> {
  handlers?: readonly GenericRpcHandler[];
  interceptors?: readonly TInterceptor[];
  options?: readonly ChannelOption[];
  /** RPCs beyond this many at once get RESOURCE_EXHAUSTED. */
  maximumConcurrentRpcs?: number | null;
  compression?: Compression | null;
}
