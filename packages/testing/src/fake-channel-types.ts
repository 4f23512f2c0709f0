import type { CallKind, CallTelemetry, Deserializer, Serializer, StatusCode } from '@grpc-aio/core';
import { DEADLINE_EXCEEDED } from '@grpc-aio/errors';
import type { Metadata, MetadataLike } from '@grpc-aio/metadata';
import type { Time } from './time.js';

// The fake channel's public contract: its options, the constants its calls report, the test's
// handles on the RPCs it takes (the `*ChannelRpc` types), and what a handler of the scripted mode
// is given. The classes that implement them are in fake-rpc.ts, scripted-handler.ts and
// fake-channel.ts.

/** The four kinds of RPC (`CallKind` of `@grpc-aio/core`). */
export type RpcKind = CallKind;

/** The details of a call whose deadline passed on a fake channel (C-core's wording). */
export const FAKE_DEADLINE_EXCEEDED = DEADLINE_EXCEEDED;
/** What `peer()` of a call on a fake channel returns. */
export const FAKE_PEER = 'fake';
/**
 * The take timeout, in seconds of real time, when none is given: well under test runners' own
 * timeouts (vitest's and Jest's 5 s), so that a take for a call that never comes fails with its own
 * message (naming the calls that were made), not with the runner's "Test timed out".
 */
export const DEFAULT_TAKE_TIMEOUT = 1;

/**
 * Codecs of one method for a true wire round trip: requests are decoded from the bytes the
 * application's serializer made, responses encoded to bytes the application's deserializer reads.
 */
export interface MethodCodecs {
  readonly requestDeserializer?: Deserializer<unknown> | null | undefined;
  readonly responseSerializer?: Serializer<never> | null | undefined;
}

/** Options of {@link fakeChannel}. */
export interface FakeChannelOptions {
  /** The clock of deadlines and `timeRemaining()` (default {@link strictRealTime}). */
  time?: Time | undefined;
  /** Per method path, codecs for a wire round trip (default: messages pass by reference). */
  codecs?: Readonly<Record<string, MethodCodecs>> | undefined;
  /** Seconds of real time a `take*` waits for its call (default {@link DEFAULT_TAKE_TIMEOUT}). */
  takeTimeout?: number | undefined;
  /** Pretend to be a secure channel, so that call credentials are accepted (default false). */
  secure?: boolean | undefined;
  /**
   * Telemetry for this channel's calls (an `OpenTelemetryPlugin`), in place of the globally
   * registered one: the fake channel records the same telemetry as a real one (its target is
   * `unknown`; sizes are the serialized sizes when `codecs` are given, else 0).
   */
  telemetry?: CallTelemetry | null | undefined;
}

/** Options of a `take*` call. */
export interface TakeOptions {
  /** Seconds of real time to wait for the call (default: the channel's `takeTimeout`). */
  timeout?: number | undefined;
}

/** The server side of one RPC on a fake channel, as the test plays it. */
interface ChannelRpcBase {
  /** The method path. */
  readonly method: string;
  /** The metadata the client sent. */
  readonly invocationMetadata: Metadata;
  /** Seconds to the call's deadline on the channel's clock, or undefined without one. */
  timeRemaining(): number | undefined;
  /**
   * Sends the server's initial metadata (at most once; it goes out with the first response
   * otherwise). @throws UsageError when already sent.
   */
  sendInitialMetadata(initialMetadata: MetadataLike): void;
  /**
   * Resolves once the client cancelled the RPC or its deadline passed.
   * @throws Error when that does not happen within the take timeout.
   */
  cancelled(): Promise<void>;
  /** True once the client cancelled the RPC or its deadline passed. */
  isCancelled(): boolean;
}

/** Sends responses of a response-streaming RPC. */
interface StreamingResponses<TResponse> {
  /**
   * Sends one response (a `Uint8Array` is sent as wire bytes, anything else by reference).
   * Ignored once the client cancelled. @throws UsageError after `terminate()`.
   */
  sendResponse(response: TResponse): void;
  /** Ends the RPC (default OK, no trailing metadata, empty details). */
  terminate(trailingMetadata?: MetadataLike, code?: StatusCode, details?: string): void;
}

/** Ends a unary-response RPC. */
interface UnaryResponse<TResponse> {
  /**
   * Ends the RPC: with an OK code, sends `response` first (undefined sends none, which the client
   * reports as UNIMPLEMENTED "No message received"). @throws UsageError when already terminated.
   */
  terminate(response?: TResponse, trailingMetadata?: MetadataLike, code?: StatusCode, details?: string): void;
}

/** Receives the requests of a request-streaming RPC. */
interface StreamingRequests<TRequest> {
  /**
   * The next request. @throws Error when the client closed its request stream without another one,
   * the RPC ended, or none arrives within the take timeout.
   */
  takeRequest(options?: TakeOptions): Promise<TRequest>;
  /**
   * Resolves once the client half-closed its request stream; rejects if the RPC ended first or
   * within the take timeout it did not.
   */
  requestsClosed(): Promise<void>;
}

/** A unary-unary RPC (Python's `grpc_testing.UnaryUnaryChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface UnaryUnaryChannelRpc<TResponse = any> extends ChannelRpcBase, UnaryResponse<TResponse> {}
/** A unary-stream RPC (Python's `grpc_testing.UnaryStreamChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface UnaryStreamChannelRpc<TResponse = any>
  extends ChannelRpcBase,
    StreamingResponses<TResponse> {}
/** A stream-unary RPC (Python's `grpc_testing.StreamUnaryChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface StreamUnaryChannelRpc<TRequest = any, TResponse = any>
  extends ChannelRpcBase,
    StreamingRequests<TRequest>,
    UnaryResponse<TResponse> {}
/** A stream-stream RPC (Python's `grpc_testing.StreamStreamChannelRpc`). */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface StreamStreamChannelRpc<TRequest = any, TResponse = any>
  extends ChannelRpcBase,
    StreamingRequests<TRequest>,
    StreamingResponses<TResponse> {}

/** What `takeUnaryUnary`/`takeUnaryStream` give. */
export interface TakenUnaryRequest<TRequest, TRpc> {
  readonly invocationMetadata: Metadata;
  readonly request: TRequest;
  readonly rpc: TRpc;
}
/** What `takeStreamUnary`/`takeStreamStream` give. */
export interface TakenStreamRequest<TRpc> {
  readonly invocationMetadata: Metadata;
  readonly rpc: TRpc;
}

/** What a handler of the scripted mode ({@link FakeChannel.handle}) can do. */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export interface FakeHandlerContext<TResponse = any> {
  /** The method path. */
  readonly method: string;
  /** The metadata the client sent. */
  invocationMetadata(): Metadata;
  /** Seconds to the call's deadline on the channel's clock, or undefined without one. */
  timeRemaining(): number | undefined;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** True once the client cancelled (or the deadline passed). */
  cancelled(): boolean;
  /** Sends initial metadata now (once). */
  sendInitialMetadata(initialMetadata: MetadataLike): void;
  /** Sends one response of a response-streaming RPC (instead of yielding it). */
  write(response: TResponse): void;
  /** Trailing metadata for the end of the RPC. */
  setTrailingMetadata(trailingMetadata: MetadataLike): void;
  /** The code to end with when the handler returns (a non-OK code drops the response). */
  setCode(code: StatusCode): void;
  /** The details to end with when the handler returns. */
  setDetails(details: string): void;
  /** Ends the RPC now with this status and throws AbortError (let it propagate). */
  abort(code: StatusCode, details?: string, trailingMetadata?: MetadataLike): never;
}

/**
 * A handler of the scripted mode. `request` is the request (unary-request methods) or an
 * `AsyncIterable` of them (request-streaming methods). Unary-response methods return the response;
 * response-streaming ones yield (async generator), return an iterable, or `context.write()`. Throw
 * an `AioRpcError` or a `Status` to end with its status; anything else ends UNKNOWN.
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: tests written without type arguments get the messages as they come, as Python's grpc_testing gives them
export type FakeHandler<TRequest = any, TResponse = any> = (
  request: TRequest,
  context: FakeHandlerContext<TResponse>,
) => unknown;
