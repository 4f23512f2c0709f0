import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Compression,
  EOF,
  type HandlerCallDetails,
  isCompression,
  isStatusCode,
  type RpcMethodHandler,
  type ServerCallTelemetry,
  type ServicerContext,
  StatusCode,
  type StatusLike,
} from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  CancelledError,
  CONCURRENT_RPC_LIMIT,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  METHOD_NOT_FOUND,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { runDoneCallbacks } from '@grpc-aio/errors/internal';
import { runInRpcScope, runServerInterceptors } from '@grpc-aio/interceptors/internal';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { describeThrown } from './describe-error.js';
import { isAsyncIterable, isIterable, isThenable, missingBehavior } from './handler-values.js';
import {
  ABORT_WITH_OK,
  CANCELLED_BY_RUNTIME,
  CANCELLED_BY_SERVER_STOP,
  COMPRESSION_AFTER_METADATA,
  SERVER_SHUTTING_DOWN,
} from './messages.js';
import { isRpcMethodHandler } from './method-handlers.js';
import { RequestStream } from './request-stream.js';
import { ResponseWindow } from './response-window.js';
import {
  CANCEL_MESSAGES,
  installRpcEventHandlers,
  type RpcEvents,
  rpcEvents,
  warnAbandoned,
} from './rpc-events.js';
import {
  NO_REQUEST,
  type RpcHost,
  SECOND_REQUEST,
  serializeResponse,
  WRITE_ON_UNARY_RESPONSE,
} from './rpc-host.js';
import type { CancelReason, ServerCallTransport } from './server-call-transport.js';
import { StatusContext, toTrailingMetadata, trailersOf } from './status-context.js';

/**
 * The server side of one RPC: its state, and the {@link ServicerContext} handed to the handler.
 * Driven by its {@link ServerCallTransport} through {@link serverRpcEvents}.
 */
export class ServerRpc extends StatusContext implements ServicerContext<unknown, unknown> {
  readonly #host: RpcHost;
  readonly #call: ServerCallTransport;
  readonly #path: string;
  #details: HandlerCallDetails | undefined;
  #handler: RpcMethodHandler | undefined;
  #admitted = false;

  // Lifecycle. #statusSent: this side ended the RPC. #terminated: it ended otherwise (client cancel,
  // deadline, server stop, the runtime); the handler's outcome is then dropped.
  #statusSent = false;
  #terminated = false;
  #terminationReason: Error | undefined;
  #done = false;
  #reported = false;
  #busy = 0; // 1 while user code runs for this RPC: the lookup (interceptors), then the handler
  #abandoned = false; // the handler went on past the turn in which its RPC ended
  #doneCallbacks: ((context: this) => void)[] | undefined;
  #controller: AbortController | undefined;

  // What abort() throws; once set, read(), write() and sendInitialMetadata() throw it again (Python).
  #abortError: AbortError | undefined;
  #initialMetadataSent = false;

  // Requests: a unary request is collected here; a request stream is read through #requests.
  #unaryRequest = false;
  #request: Buffer | undefined;
  #requests: RequestStream | undefined;

  // Responses: yielded by the handler and written with `context.write()`, mixed as it likes (as in
  // Python's grpc.aio, where both go through the same write), in the order the handler produced them.
  #responses: ResponseWindow | undefined;
  #compressNext = true; // false after disableNextMessageCompression(), for one message

  #scope: (<R>(fn: () => R) => R) | undefined;
  // The telemetry's context runner (its server span active), when it has one.
  #telemetryScope: (<R>(fn: () => R) => R) | undefined;

  static {
    installRpcEventHandlers({
      message: (rpc, message) => (rpc as ServerRpc).#onMessage(message),
      halfClose: (rpc) => (rpc as ServerRpc).#onHalfClose(),
      cancel: (rpc, reason) => (rpc as ServerRpc).#onCancel(reason),
    });
  }

  constructor(host: RpcHost, path: string, call: ServerCallTransport) {
    super(call, host.clock);
    this.#host = host;
    this.#path = path;
    this.#call = call;
  }

  /** The method path, `'/package.Service/Method'`. */
  get method(): string {
    return this.#path;
  }

  // ---- server side -------------------------------------------------------------------------------

  /**
   * Runs the lookup and the handler of this RPC in the context of `telemetry` (whose transport
   * records the call's sizes and status). Called by the transport before {@link ServerRpc.dispatch}.
   */
  observe(telemetry: ServerCallTelemetry): void {
    const run = telemetry.run;
    if (run !== undefined) this.#telemetryScope = <R>(fn: () => R): R => run.call(telemetry, fn) as R;
  }

  /** Finds the handler (through the interceptors) and runs it. */
  dispatch(): void {
    const scope = this.#telemetryScope;
    if (scope === undefined) this.#dispatch();
    else scope(() => this.#dispatch());
  }

  #dispatch(): void {
    if (this.#over) return;
    this.#busy = 1;
    const host = this.#host;
    if (host.interceptors.length === 0) {
      let handler: RpcMethodHandler | null | undefined;
      try {
        handler = host.findHandler(this.#path, () => this.#callDetails());
      } catch (error) {
        this.#lookupFailed(error);
        return;
      }
      this.#start(handler);
      return;
    }
    runInRpcScope(() => {
      runServerInterceptors(host.interceptors, this.#callDetails(), (details) => {
        try {
          return Promise.resolve(host.findHandler(details.method, () => details));
        } catch (error) {
          return Promise.reject(error);
        }
      })
        .then((handler) => this.#start(handler))
        .catch((error: unknown) => this.#lookupFailed(error));
    });
  }

  /** Ends the RPC with `code` before any handler ran (server stopping). */
  refuse(code: StatusCode, details: string): void {
    this.#sendStatus(code, details, undefined);
    this.#busy = 0;
  }

  /** stop(): cut the RPC off (clients see UNAVAILABLE) and interrupt its handler. */
  cancelForStop(): void {
    if (!this.#statusSent && !this.#terminated) {
      this.#sendStatus(StatusCode.UNAVAILABLE, SERVER_SHUTTING_DOWN, undefined);
    }
    this.#terminate(new CancelledError(CANCELLED_BY_SERVER_STOP));
  }

  #callDetails(): HandlerCallDetails {
    this.#details ??= Object.freeze({ method: this.#path, invocationMetadata: this.invocationMetadata() });
    return this.#details;
  }

  #lookupFailed(error: unknown): void {
    this.#sendStatus(StatusCode.UNKNOWN, `Unexpected ${describeThrown(error)}`, undefined);
    this.#busy = 0;
  }

  #start(handler: RpcMethodHandler | null | undefined): void {
    this.#busy = 0;
    if (this.#terminated || this.#statusSent) return;
    if (handler == null) {
      this.#sendStatus(StatusCode.UNIMPLEMENTED, METHOD_NOT_FOUND, undefined);
    } else if (!isRpcMethodHandler(handler)) {
      this.#sendStatus(
        StatusCode.INTERNAL,
        `The handler of ${this.#path} is not an RpcMethodHandler.`,
        undefined,
      );
    } else if (!this.#host.admit()) {
      this.#sendStatus(StatusCode.RESOURCE_EXHAUSTED, CONCURRENT_RPC_LIMIT, undefined);
    } else {
      this.#admitted = true;
      this.#handler = handler;
      if (handler.requestStreaming) {
        this.#requests = new RequestStream(this.#call, (message) => this.#deserialize(message));
        void this.#run(undefined);
      } else {
        this.#unaryRequest = true;
        // The request arrives in a transport event, outside the RPC scope the interceptors ran in
        // and the telemetry's context: keep both for the handler.
        const telemetryScope = this.#telemetryScope;
        if (this.#host.interceptors.length > 0) {
          const snapshot = AsyncLocalStorage.snapshot();
          this.#scope =
            telemetryScope === undefined
              ? snapshot
              : <R>(fn: () => R): R => telemetryScope(() => snapshot(fn));
        } else if (telemetryScope !== undefined) {
          this.#scope = telemetryScope;
        }
        this.#call.startRead();
      }
    }
  }

  #onMessage(message: Buffer): void {
    if (this.#unaryRequest) {
      if (this.#request === undefined) {
        this.#request = message;
        this.#call.startRead();
      } else {
        this.#sendStatus(StatusCode.UNIMPLEMENTED, SECOND_REQUEST, undefined);
      }
      return;
    }
    this.#requests?.message(message);
  }

  #onHalfClose(): void {
    if (this.#unaryRequest) {
      this.#unaryRequest = false;
      const request = this.#request;
      this.#request = undefined;
      if (request === undefined) {
        this.#sendStatus(StatusCode.UNIMPLEMENTED, NO_REQUEST, undefined);
        return;
      }
      if (this.#scope === undefined) void this.#run(request);
      else this.#scope(() => this.#run(request));
      return;
    }
    // Node's HTTP/2 layer ends the request stream of a call the client reset (RST_STREAM) before it
    // reports the reset; wait one turn so that such a handler sees the cancellation, not a clean end
    // of its requests.
    setImmediate(() => {
      if (!this.#terminated) this.#requests?.end();
    });
  }

  #onCancel(reason: CancelReason): void {
    if (this.#statusSent) return;
    this.#terminate(new CancelledError(CANCEL_MESSAGES[reason]));
  }

  #terminate(reason: Error): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#terminationReason = reason;
    this.#controller?.abort(reason);
    this.#requests?.fail(reason);
    this.#responses?.fail(reason);
    // A handler that answers the interruption returns within this turn; one still running is abandoned.
    if (this.#busy !== 0) setImmediate(() => (this.#abandoned = this.#busy !== 0));
    this.#markDone();
  }

  #markDone(): void {
    if (this.#done) return;
    this.#done = true;
    const callbacks = this.#doneCallbacks;
    this.#doneCallbacks = undefined;
    if (callbacks !== undefined) runDoneCallbacks(callbacks, this, this.#path);
    this.#maybeEnded();
  }

  /** Once the RPC has ended on the wire the server is done with it, whether or not its handler has returned. */
  #maybeEnded(): void {
    if (this.#reported || !this.#done) return;
    this.#reported = true;
    this.#host.ended(this, this.#admitted);
  }

  #sendStatus(code: StatusCode, details: string, trailingMetadata: Metadata | undefined): void {
    if (this.#statusSent || this.#terminated) return;
    this.#statusSent = true;
    this.#call.sendStatus({
      code,
      details,
      metadata: trailingMetadata === undefined || trailingMetadata.size === 0 ? null : trailingMetadata,
    });
    this.#markDone();
  }

  /** True when this side can no longer send anything (status sent, or the RPC ended otherwise). */
  get #over(): boolean {
    return this.#statusSent || this.#terminated;
  }

  async #run(request: Buffer | undefined): Promise<void> {
    const handler = this.#handler as RpcMethodHandler;
    this.#busy = 1;
    try {
      const argument =
        request === undefined ? (this.#requests as RequestStream).iterable() : this.#deserialize(request);
      if (handler.responseStreaming) {
        const behavior = handler.requestStreaming ? handler.streamStream : handler.unaryStream;
        if (typeof behavior !== 'function') throw new TypeError(missingBehavior(handler, this.#path));
        let result: unknown = behavior(argument as never, this);
        if (isThenable(result) && !isAsyncIterable(result)) result = await result;
        if (result != null) {
          if (!isAsyncIterable(result) && !isIterable(result)) {
            throw new TypeError(
              `A response-streaming handler must return an (async) iterable or nothing, got ${typeof result}.`,
            );
          }
          for await (const response of result as AsyncIterable<unknown>) {
            if (this.#over) break;
            await this.#send(response);
          }
        }
        this.#finish(undefined, false);
      } else {
        const behavior = handler.requestStreaming ? handler.streamUnary : handler.unaryUnary;
        if (typeof behavior !== 'function') throw new TypeError(missingBehavior(handler, this.#path));
        const response = await behavior(argument as never, this);
        this.#finish(response, true);
      }
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#busy = 0;
      if (this.#abandoned) warnAbandoned(this.#path, this.#terminationReason as Error);
    }
  }

  /** The handler returned: send its response (unary) and the status it set (OK by default). */
  #finish(response: unknown, unary: boolean): void {
    if (this.#over) return;
    const code = this.code() ?? StatusCode.OK;
    if (code !== StatusCode.OK || !unary) {
      this.#sendSetStatus(code);
    } else {
      this.#initialMetadataSent = true;
      this.#call.sendFinalMessage(this.#serialize(response), this.#takeCompressNext());
      this.#sendSetStatus(StatusCode.OK);
    }
  }

  /**
   * The handler threw: UNKNOWN (or the non-OK code it set) with details naming what it threw, as
   * Python's (whose details are "Unexpected <class 'X'>: message" even after set_details()).
   */
  #failed(error: unknown): void {
    if (this.#over) return;
    const set = this.code();
    const code = set !== undefined && set !== StatusCode.OK ? set : StatusCode.UNKNOWN;
    this.#sendStatus(code, `Unexpected ${describeThrown(error)}`, trailersOf(this));
  }

  #sendSetStatus(code: StatusCode): void {
    this.#sendStatus(code, this.details(), trailersOf(this));
  }

  #deserialize(bytes: Buffer): unknown {
    const deserializer = this.#host.codec?.deserialize ?? this.#handler?.requestDeserializer;
    if (deserializer == null) return bytes;
    try {
      return deserializer(bytes);
    } catch (error) {
      this.#sendStatus(
        StatusCode.INTERNAL,
        `Failed to deserialize request: ${describeThrown(error)}`,
        undefined,
      );
      this.#terminate(new CancelledError(CANCELLED_BY_RUNTIME));
      throw error;
    }
  }

  /**
   * The response's bytes. A response that cannot be serialized ends the RPC with INTERNAL at once
   * and throws (a TypeError, or the serializer's error).
   */
  #serialize(response: unknown): Buffer {
    const serialized = serializeResponse(
      this.#host.codec?.serialize ?? this.#handler?.responseSerializer,
      response,
    );
    if (Buffer.isBuffer(serialized)) return serialized;
    this.#sendStatus(StatusCode.INTERNAL, serialized.problem, undefined);
    throw serialized.failure;
  }

  /** Sends one response; resolves once the transport took it (flow control). */
  #send(response: unknown): Promise<void> {
    if (this.#terminated) return Promise.reject(this.#terminationReason);
    if (this.#abortError !== undefined) return Promise.reject(this.#abortError);
    if (this.#statusSent) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    let bytes: Buffer;
    try {
      bytes = this.#serialize(response);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#initialMetadataSent = true;
    this.#responses ??= new ResponseWindow(this.#call);
    return this.#responses.send(bytes, this.#takeCompressNext());
  }

  #takeCompressNext(): boolean {
    const compress = this.#compressNext;
    this.#compressNext = true;
    return compress;
  }

  // ---- ServicerContext ---------------------------------------------------------------------------

  read(): Promise<unknown> {
    const requests = this.#requests;
    if (this.#abortError !== undefined && !this.#terminated) return Promise.reject(this.#abortError);
    if (this.#statusSent) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    if (requests === undefined)
      return this.#terminated ? Promise.reject(this.#terminationReason) : Promise.resolve(EOF);
    return requests.read();
  }

  write(message: unknown): Promise<void> {
    if (this.#handler !== undefined && !this.#handler.responseStreaming) {
      return Promise.reject(new UsageError(WRITE_ON_UNARY_RESPONSE));
    }
    return this.#send(message);
  }

  async sendInitialMetadata(initialMetadata: MetadataLike): Promise<void> {
    if (this.#terminated) throw this.#terminationReason;
    if (this.#abortError !== undefined) throw this.#abortError;
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    if (this.#initialMetadataSent) throw new UsageError(INITIAL_METADATA_ALREADY_SENT);
    const metadata = Metadata.from(initialMetadata);
    this.#initialMetadataSent = true;
    this.#call.sendMetadata(metadata);
  }

  async abort(code: StatusCode, details = '', trailingMetadata?: MetadataLike | null): Promise<never> {
    if (this.#abortError !== undefined) throw new UsageError(ABORT_ALREADY_CALLED);
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    // As Python: the abort counts from here, even when its arguments turn out invalid (a second
    // abort() is "Abort already called!"; the handler's error then ends the RPC with UNKNOWN).
    const abortError = new AbortError(LOCALLY_ABORTED);
    this.#abortError = abortError;
    if (!isStatusCode(code)) throw new TypeError(`abort() needs a StatusCode, got ${String(code)}.`);
    if (code === StatusCode.OK) throw new UsageError(ABORT_WITH_OK);
    if (typeof details !== 'string')
      throw new TypeError(`abort() details must be a string, got ${typeof details}.`);
    const trailers = trailingMetadata == null ? undefined : toTrailingMetadata(trailingMetadata);
    if (trailers !== undefined && trailers.size > 0) this.setTrailingMetadata(trailers);
    if (details !== '') this.setDetails(details);
    this.setCode(code);
    this.#sendStatus(code, this.details(), trailersOf(this));
    throw abortError;
  }

  abortWithStatus(status: StatusLike): Promise<never> {
    if (typeof status !== 'object' || status === null) {
      return Promise.reject(new TypeError('abortWithStatus() needs a Status.'));
    }
    return this.abort(status.code, status.details, status.trailingMetadata);
  }

  setCompression(compression: Compression): void {
    if (!isCompression(compression))
      throw new TypeError(`Unknown compression value: ${String(compression)}.`);
    if (this.#initialMetadataSent || this.#over) throw new UsageError(COMPRESSION_AFTER_METADATA);
    this.#call.setCompression(compression);
  }

  disableNextMessageCompression(): void {
    this.#compressNext = false;
  }

  cancelled(): boolean {
    return this.#terminated;
  }

  done(): boolean {
    return this.#done;
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (typeof callback !== 'function') throw new TypeError('A done callback must be a function.');
    if (this.#done) {
      runDoneCallbacks([callback], this, this.#path);
      return;
    }
    (this.#doneCallbacks ??= []).push(callback);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#terminated) this.#controller.abort(this.#terminationReason);
    }
    return this.#controller.signal;
  }

  get [Symbol.toStringTag](): string {
    return 'ServicerContext';
  }
}

/** Feeds a {@link ServerRpc} the events of its call, from its {@link ServerCallTransport}. */
export const serverRpcEvents: RpcEvents<ServerRpc> = rpcEvents;
