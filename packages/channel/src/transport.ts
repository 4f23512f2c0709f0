import type {
  Call,
  CallKind,
  CallOptions,
  ChannelConnectivity,
  ClientAttemptTelemetry,
  ClientCallTelemetry,
  Clock,
  Deserializer,
  Serializer,
  StatusCode,
} from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';

/** The final status of one RPC, as a transport reports it. */
export interface TransportStatus {
  readonly code: StatusCode;
  readonly details: string;
  /** Trailing metadata (empty when there is none). */
  readonly metadata: Metadata;
  /** The transport's debug description ('' when there is none). */
  readonly debugErrorString?: string | undefined;
  /** The transport's own error object, kept as the `cause` of the AioRpcError. */
  readonly cause?: unknown;
}

/**
 * What a call object receives from its transport. The call objects implement it themselves (no
 * per-call adapter). Callbacks may come in any order a real HTTP/2 stream allows: metadata at most
 * once and before messages, messages only after `startRead()` was asked for each one, and exactly
 * one status at the end (later ones are ignored).
 */
export interface TransportListener {
  onTransportMetadata(metadata: Metadata): void;
  /**
   * One response. A transport that carries messages as objects (the testing package's fake
   * channel) gives the message itself as `decoded`; the call then uses it as it is, and does not
   * deserialize `message`.
   */
  onTransportMessage(message: Uint8Array, decoded?: { readonly value: unknown }): void;
  onTransportStatus(status: TransportStatus): void;
}

/** One RPC on the wire: the lowest layer the call objects drive. */
export interface CallTransport {
  /** Sends the request headers and starts listening. Called once, before anything else. */
  start(metadata: Metadata, listener: TransportListener): void;
  /**
   * Sends one serialized request. `callback` runs once the message was handed to the network (or
   * with an error if it could not be); it may never run if the RPC ends first. `request` is the
   * message as the application gave it, for a transport that carries objects.
   */
  sendMessage(message: Uint8Array, callback: (error?: Error | null) => void, request?: unknown): void;
  /** Asks for the next response message (one `onTransportMessage` per call). */
  startRead(): void;
  /** Half-closes the request stream. */
  halfClose(): void;
  /** Ends the RPC locally with this status (the transport reports it back through the listener). */
  cancel(code: StatusCode, details: string): void;
  /** The address of the peer, or '' when unknown. */
  getPeer(): string;
  /**
   * Runs `callback` once the RPC has started on a ready connection (its request headers handed to
   * the connection), for `waitForConnection()` on stream-request calls. Optional: without it those
   * wait for the server's initial metadata.
   */
  whenStarted?(callback: () => void): void;
}

/**
 * A channel's transport: makes call transports and reports connectivity. `@grpc/grpc-js` is one
 * implementation; the testing package's fake channel is another.
 */
export interface ChannelTransport {
  /** True for a secure (TLS) channel: only then are call credentials allowed. */
  readonly secure: boolean;
  /** The target the channel was made for, as telemetry reports it (optional: `'unknown'` without). */
  readonly target?: string | undefined;
  /**
   * A transport for one RPC of kind `kind`. `deadline` is in milliseconds since the epoch
   * (`Infinity` for none); `options` are the caller's options (credentials, compression,
   * waitForReady are honoured here).
   */
  createCall(
    method: string,
    deadline: number,
    options: CallOptions | undefined,
    kind: CallKind,
  ): CallTransport;
  getState(tryToConnect: boolean): ChannelConnectivity;
  /** Runs `callback` once the state differs from `currentState` (including on close). */
  watchState(currentState: ChannelConnectivity, callback: () => void): void;
  /** Releases the transport. Calls still running are cancelled by the channel before this. */
  close(): void;
  /**
   * The clock deadlines are computed, `timeRemaining()` is read and interceptors wait on (given to
   * them as `continuation.clock`). Optional: the system clock when absent (a fake transport passes
   * its fake time).
   */
  readonly clock?: Clock | undefined;
}

/** What a call reports to its owner (the channel) when it ends. */
export interface CallOwner {
  callDone(call: Call): void;
}

/** The construction parameters every call kind shares. */
export interface ClientCallInit<TRequest, TResponse> {
  transport: CallTransport;
  /** The method path, named when a done callback throws. */
  method?: string | undefined;
  serializer?: Serializer<TRequest> | null | undefined;
  deserializer?: Deserializer<TResponse> | null | undefined;
  /** Milliseconds since the epoch; `Infinity` (or undefined) for no deadline. */
  deadline?: number | undefined;
  signal?: AbortSignal | undefined;
  owner?: CallOwner | undefined;
  /** The clock `timeRemaining()` reads (default: the system clock). */
  clock?: Clock | undefined;
  /** Records this RPC as an attempt (metrics, traces); undefined when no telemetry is set or registered. */
  telemetry?: ClientAttemptTelemetry | undefined;
  /** Records the call, when this RPC is the whole call (not an attempt of an interceptor chain's call). */
  callTelemetry?: ClientCallTelemetry | undefined;
}
