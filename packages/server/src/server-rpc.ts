import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CallTelemetry,
  EOF,
  globalTelemetry,
  type HandlerCallDetails,
  type RpcMethodHandler,
  type ServerCallTelemetry,
  type ServicerContext,
  StatusCode,
} from '@grpc-aio/core';
import {
  CancelledError,
  CONCURRENT_RPC_LIMIT,
  METHOD_NOT_FOUND,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { runInRpcScope, runServerInterceptors } from '@grpc-aio/interceptors/internal';
import { describeThrown } from './describe-error.js';
import { isAsyncIterable, isIterable, isThenable, missingBehavior } from './handler-values.js';
import { CANCELLED_BY_RUNTIME, CANCELLED_BY_SERVER_STOP, SERVER_SHUTTING_DOWN } from './messages.js';
import { isRpcMethodHandler } from './method-handlers.js';
import { RequestStream } from './request-stream.js';
import {
  abortError,
  handlerReturned,
  handlerThrew,
  installResponseHooks,
  isOver,
  ResponseSide,
  sendResponse,
  sendStatus,
  statusSent,
  terminate,
  terminationReason,
} from './response-side.js';
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

// The request side of a server RPC: finding its handler (through the interceptors), admitting it,
// the requests, and running the handler. What it sends and how it ends is the response side
// (response-side.ts), the status the handler sets StatusContext (status-context.ts), what it tells
// of the call CallInfo (call-info.ts): together, the ServicerContext handed to the handler.

/**
 * The server side of one RPC: its state, and the {@link ServicerContext} handed to the handler.
 * Driven by its {@link ServerCallTransport} through {@link serverRpcEvents}.
 */
export class ServerRpc extends ResponseSide implements ServicerContext<unknown, unknown> {
  readonly #host: RpcHost;
  readonly #call: ServerCallTransport;
  #details: HandlerCallDetails | undefined;
  #handler: RpcMethodHandler | undefined;
  #admitted = false;
  #reported = false;
  #busy = 0; // 1 while user code runs for this RPC: the lookup (interceptors), then the handler
  #abandoned = false; // the handler went on past the turn in which its RPC ended

  // Requests: a unary request is collected here; a request stream is read through #requests.
  #unaryRequest = false;
  #request: Buffer | undefined;
  #requests: RequestStream | undefined;

  #scope: (<R>(fn: () => R) => R) | undefined;
  // The telemetry's context runner (its server span active), when it has one.
  #telemetryScope: (<R>(fn: () => R) => R) | undefined;

  static {
    installRpcEventHandlers({
      message: (rpc, message) => (rpc as ServerRpc).#onMessage(message),
      halfClose: (rpc) => (rpc as ServerRpc).#onHalfClose(),
      cancel: (rpc, reason) => (rpc as ServerRpc).#onCancel(reason),
    });
    installResponseHooks({
      serialize: (rpc, response) => (rpc as ServerRpc).#serialize(response),
      terminated: (rpc, reason) => (rpc as ServerRpc).#onTerminated(reason),
      done: (rpc) => (rpc as ServerRpc).#maybeEnded(),
    });
  }

  constructor(host: RpcHost, path: string, call: ServerCallTransport) {
    super(call, host.clock, path);
    this.#host = host;
    this.#call = call;
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
    if (isOver(this)) return;
    this.#busy = 1;
    const host = this.#host;
    if (host.interceptors.length === 0) {
      let handler: RpcMethodHandler | null | undefined;
      try {
        handler = host.findHandler(this.method, () => this.#callDetails());
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
    sendStatus(this, code, details, undefined);
    this.#busy = 0;
  }

  /** stop(): cut the RPC off (clients see UNAVAILABLE) and interrupt its handler. */
  cancelForStop(): void {
    if (!isOver(this)) sendStatus(this, StatusCode.UNAVAILABLE, SERVER_SHUTTING_DOWN, undefined);
    terminate(this, new CancelledError(CANCELLED_BY_SERVER_STOP));
  }

  #callDetails(): HandlerCallDetails {
    this.#details ??= Object.freeze({ method: this.method, invocationMetadata: this.invocationMetadata() });
    return this.#details;
  }

  #lookupFailed(error: unknown): void {
    sendStatus(this, StatusCode.UNKNOWN, `Unexpected ${describeThrown(error)}`, undefined);
    this.#busy = 0;
  }

  #start(handler: RpcMethodHandler | null | undefined): void {
    this.#busy = 0;
    if (isOver(this)) return;
    if (handler == null) {
      sendStatus(this, StatusCode.UNIMPLEMENTED, METHOD_NOT_FOUND, undefined);
    } else if (!isRpcMethodHandler(handler)) {
      sendStatus(
        this,
        StatusCode.INTERNAL,
        `The handler of ${this.method} is not an RpcMethodHandler.`,
        undefined,
      );
    } else if (!this.#host.admit()) {
      sendStatus(this, StatusCode.RESOURCE_EXHAUSTED, CONCURRENT_RPC_LIMIT, undefined);
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
        sendStatus(this, StatusCode.UNIMPLEMENTED, SECOND_REQUEST, undefined);
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
        sendStatus(this, StatusCode.UNIMPLEMENTED, NO_REQUEST, undefined);
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
      if (!this.cancelled()) this.#requests?.end();
    });
  }

  #onCancel(reason: CancelReason): void {
    if (statusSent(this)) return;
    terminate(this, new CancelledError(CANCEL_MESSAGES[reason]));
  }

  /** The RPC was terminated: the requests fail (then the responses, then the done callbacks run). */
  #onTerminated(reason: Error): void {
    this.#requests?.fail(reason);
    // A handler that answers the interruption returns within this turn; one still running is abandoned.
    if (this.#busy !== 0) setImmediate(() => (this.#abandoned = this.#busy !== 0));
  }

  /** Once the RPC has ended on the wire the server is done with it, whether or not its handler has returned. */
  #maybeEnded(): void {
    if (this.#reported || !this.done()) return;
    this.#reported = true;
    this.#host.ended(this, this.#admitted);
  }

  async #run(request: Buffer | undefined): Promise<void> {
    const handler = this.#handler as RpcMethodHandler;
    this.#busy = 1;
    try {
      const argument =
        request === undefined ? (this.#requests as RequestStream).iterable() : this.#deserialize(request);
      if (handler.responseStreaming) {
        const behavior = handler.requestStreaming ? handler.streamStream : handler.unaryStream;
        if (typeof behavior !== 'function') throw new TypeError(missingBehavior(handler, this.method));
        let result: unknown = behavior(argument as never, this);
        if (isThenable(result) && !isAsyncIterable(result)) result = await result;
        if (result != null) {
          if (!isAsyncIterable(result) && !isIterable(result)) {
            throw new TypeError(
              `A response-streaming handler must return an (async) iterable or nothing, got ${typeof result}.`,
            );
          }
          for await (const response of result as AsyncIterable<unknown>) {
            if (isOver(this)) break;
            await sendResponse(this, response);
          }
        }
        handlerReturned(this, undefined, false);
      } else {
        const behavior = handler.requestStreaming ? handler.streamUnary : handler.unaryUnary;
        if (typeof behavior !== 'function') throw new TypeError(missingBehavior(handler, this.method));
        const response = await behavior(argument as never, this);
        handlerReturned(this, response, true);
      }
    } catch (error) {
      handlerThrew(this, error);
    } finally {
      this.#busy = 0;
      if (this.#abandoned) warnAbandoned(this.method, terminationReason(this) as Error);
    }
  }

  #deserialize(bytes: Buffer): unknown {
    const deserializer = this.#host.codec?.deserialize ?? this.#handler?.requestDeserializer;
    if (deserializer == null) return bytes;
    try {
      return deserializer(bytes);
    } catch (error) {
      sendStatus(
        this,
        StatusCode.INTERNAL,
        `Failed to deserialize request: ${describeThrown(error)}`,
        undefined,
      );
      terminate(this, new CancelledError(CANCELLED_BY_RUNTIME));
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
    sendStatus(this, StatusCode.INTERNAL, serialized.problem, undefined);
    throw serialized.failure;
  }

  // ---- ServicerContext ---------------------------------------------------------------------------

  read(): Promise<unknown> {
    const requests = this.#requests;
    const aborted = abortError(this);
    if (aborted !== undefined && !this.cancelled()) return Promise.reject(aborted);
    if (statusSent(this)) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    if (requests === undefined)
      return this.cancelled() ? Promise.reject(terminationReason(this)) : Promise.resolve(EOF);
    return requests.read();
  }

  write(message: unknown): Promise<void> {
    if (this.#handler !== undefined && !this.#handler.responseStreaming) {
      return Promise.reject(new UsageError(WRITE_ON_UNARY_RESPONSE));
    }
    return sendResponse(this, message);
  }

  get [Symbol.toStringTag](): string {
    return 'ServicerContext';
  }
}

/** Feeds a {@link ServerRpc} the events of its call, from its {@link ServerCallTransport}. */
export const serverRpcEvents: RpcEvents<ServerRpc> = rpcEvents;

/**
 * The telemetry recorder of a new RPC: from the server's own telemetry, else the globally
 * registered one; undefined (after one check) when there is none.
 * @param registered true when a registered handler serves `rpc`'s method.
 */
export function rpcTelemetry(
  own: CallTelemetry | undefined,
  rpc: ServerRpc,
  registered: boolean,
): ServerCallTelemetry | undefined {
  const telemetry = own ?? globalTelemetry();
  if (telemetry === undefined || telemetry.serverCall === undefined) return undefined;
  return telemetry.serverCall({
    method: rpc.method,
    registered,
    metadata: () => rpc.invocationMetadata(),
  });
}
