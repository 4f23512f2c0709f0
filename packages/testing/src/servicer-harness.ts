import {
  type Compression,
  EOF,
  type GenericRpcHandler,
  type HandlerCallDetails,
  isCompression,
  isStatusCode,
  type MethodHandlers,
  type RpcMethodHandler,
  type ServicerContext,
  StatusCode,
  type StatusLike,
  statusCodeToString,
} from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  API_STYLES_MIXED,
  CancelledError,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  LOCALLY_CANCELLED,
  METHOD_NOT_FOUND,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import {
  runInRpcScope,
  runServerInterceptors,
  type ServerInterceptor,
  validateServerInterceptors,
} from '@grpc-aio/interceptors/server';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  COMPRESSION_AFTER_METADATA,
  WRITE_ON_UNARY_RESPONSE,
} from '@grpc-aio/server';
import { type Deferred, deferred } from './deferred.js';
import { FAKE_DEADLINE_EXCEEDED } from './fake-channel.js';
import { describeThrown } from './thrown-status.js';
import { type ScheduledCall, strictRealTime, type Time } from './time.js';

/** `sendRequest()` after `requestsClosed()`. */
export const REQUESTS_ALREADY_CLOSED = 'sendRequest() after requestsClosed().';
/** What `context.peer()` gives unless the harness was told otherwise. */
export const FAKE_CLIENT_PEER = 'ipv4:127.0.0.1:0';

const textBytes = (text: string): Uint8Array => new TextEncoder().encode(text);

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
  /** Seconds of real time `takeResponse()` and `termination()` wait (default 5). */
  takeTimeout?: number | undefined;
}

/** Options of the `invoke*` methods. */
export interface InvokeOptions {
  /** The client's metadata. */
  metadata?: MetadataLike | undefined;
  /** The client's timeout, in seconds on the harness's clock. */
  timeout?: number | undefined;
}

/** How an RPC ended, as the client would see it. */
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
  /** Sends one request. @throws UsageError after `requestsClosed()`. */
  sendRequest(request: TRequest): void;
  /** Half-closes the request stream (the handler reads EOF). */
  requestsClosed(): void;
}
interface TakesResponses<TResponse> {
  /**
   * The next response. @throws Error when the RPC ended without another one, or none comes
   * within the take timeout.
   */
  takeResponse(): Promise<TResponse>;
}

/** A unary-unary RPC the test invoked (Python's `grpc_testing.UnaryUnaryServerRpc`). */
export interface UnaryUnaryServerRpc<TResponse = any> extends ServerRpcBase<TResponse> {}
/** A unary-stream RPC (Python's `grpc_testing.UnaryStreamServerRpc`). */
export interface UnaryStreamServerRpc<TResponse = any>
  extends ServerRpcBase<TResponse>,
    TakesResponses<TResponse> {}
/** A stream-unary RPC (Python's `grpc_testing.StreamUnaryServerRpc`). */
export interface StreamUnaryServerRpc<TRequest = any, TResponse = any>
  extends ServerRpcBase<TResponse>,
    SendsRequests<TRequest> {}
/** A stream-stream RPC (Python's `grpc_testing.StreamStreamServerRpc`). */
export interface StreamStreamServerRpc<TRequest = any, TResponse = any>
  extends ServerRpcBase<TResponse>,
    SendsRequests<TRequest>,
    TakesResponses<TResponse> {}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isObjectLike(value) && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
function isIterable(value: unknown): value is Iterable<unknown> {
  return isObjectLike(value) && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof (value as PromiseLike<unknown>).then === 'function';
}
function isRpcMethodHandler(value: unknown): value is RpcMethodHandler {
  return (
    isObjectLike(value) &&
    typeof (value as RpcMethodHandler).requestStreaming === 'boolean' &&
    typeof (value as RpcMethodHandler).responseStreaming === 'boolean'
  );
}

function bounded<T>(promise: Promise<T>, seconds: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), seconds * 1000);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const NONE = 0;
const ITERATOR = 1;
const READ_WRITE = 2;

/**
 * One RPC of the harness: the {@link ServicerContext} handed to the handler, and the test's handle
 * on the client side. Its semantics follow @grpc-aio/server's context (see that package's README).
 */
class HarnessRpc implements ServicerContext<unknown, unknown> {
  readonly #server: FakeServer;
  readonly #method: string;
  readonly #metadata: Metadata;
  readonly #deadline: number; // seconds on the harness clock
  #timer: ScheduledCall | undefined;
  #handler: RpcMethodHandler | undefined;

  #statusSent = false;
  #terminated = false;
  #terminationReason: Error | undefined;
  #done = false;
  #doneCallbacks: ((context: this) => void)[] | undefined;
  #controller: AbortController | undefined;

  #code: StatusCode | undefined;
  #statusDetails: string | undefined;
  #trailingMetadata: Metadata | undefined;
  #aborted = false;
  #initialMetadataSent = false;

  #requests: unknown[] = [];
  #readers: Deferred<unknown>[] = [];
  #halfClosed = false;
  #requestStyle = NONE;
  #responseStyle = NONE;

  #responses: unknown[] = [];
  #responseWaiters: Deferred<unknown>[] = [];
  readonly #initialMetadata = deferred<Metadata>();
  readonly #termination = deferred<Termination>();
  #ended: Termination | undefined;

  constructor(server: FakeServer, method: string, metadata: Metadata, timeout: number | undefined) {
    this.#server = server;
    this.#method = method;
    this.#metadata = metadata;
    const time = server.time;
    this.#deadline = timeout == null ? Number.POSITIVE_INFINITY : time.time() + timeout;
    if (timeout != null) this.#timer = time.callAt(() => this.#expire(), this.#deadline);
  }

  // ---- the test (client) side ----------------------------------------------------------------

  start(request: unknown, unaryRequest: boolean): this {
    if (unaryRequest) {
      this.#requests.push(request);
      this.#halfClosed = true;
    }
    runInRpcScope(() => this.#dispatch(unaryRequest)).catch((error: unknown) => {
      // #dispatch ends the RPC on every error of user code; this is a bug of the harness.
      console.error(`@grpc-aio/testing: the harness failed to run ${this.#method}:`, error);
    });
    return this;
  }

  sendRequest(request: unknown): void {
    if (this.#halfClosed) throw new UsageError(REQUESTS_ALREADY_CLOSED);
    if (this.#terminated || this.#statusSent) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) reader.resolve(request);
    else this.#requests.push(request);
  }

  requestsClosed(): void {
    if (this.#halfClosed) return;
    this.#halfClosed = true;
    const readers = this.#readers;
    this.#readers = [];
    for (const reader of readers) reader.resolve(EOF);
  }

  cancel(): void {
    if (this.#statusSent || this.#terminated) return;
    this.#end({ trailingMetadata: new Metadata(), code: StatusCode.CANCELLED, details: LOCALLY_CANCELLED });
    this.#terminate(new CancelledError(CANCELLED_BY_CLIENT));
  }

  initialMetadata(): Promise<Metadata> {
    return bounded(
      this.#initialMetadata.promise,
      this.#server.takeTimeout,
      () => `initialMetadata() of ${this.#method} timed out: the handler neither sent any nor ended the RPC.`,
    );
  }

  termination(): Promise<Termination> {
    return bounded(
      this.#termination.promise,
      this.#server.takeTimeout,
      () => `termination() of ${this.#method} timed out: the handler has not ended the RPC.`,
    );
  }

  takeResponse(): Promise<unknown> {
    let next: Promise<unknown>;
    if (this.#responses.length > 0) {
      next = Promise.resolve(this.#responses.shift());
    } else if (this.#ended !== undefined) {
      next = Promise.reject(this.#noMoreResponses());
    } else {
      const waiter = deferred<unknown>();
      this.#responseWaiters.push(waiter);
      next = waiter.promise;
    }
    return bounded(next, this.#server.takeTimeout, () => `takeResponse() on ${this.#method} timed out.`);
  }

  #noMoreResponses(): Error {
    const ended = this.#ended!;
    return new Error(
      `takeResponse() on ${this.#method}: the RPC ended with ${statusCodeToString(ended.code)} "${ended.details}" and no further response.`,
    );
  }

  #end(termination: Termination): void {
    if (this.#ended !== undefined) return;
    this.#ended = termination;
    this.#initialMetadata.resolve(new Metadata());
    this.#termination.resolve(termination);
    const waiters = this.#responseWaiters;
    this.#responseWaiters = [];
    for (const waiter of waiters) waiter.reject(this.#noMoreResponses());
  }

  #expire(): void {
    if (this.#statusSent || this.#terminated) return;
    this.#end({
      trailingMetadata: new Metadata(),
      code: StatusCode.DEADLINE_EXCEEDED,
      details: FAKE_DEADLINE_EXCEEDED,
    });
    this.#terminate(new CancelledError(CANCELLED_BY_DEADLINE));
  }

  // ---- dispatch -------------------------------------------------------------------------------

  async #dispatch(unaryRequest: boolean): Promise<void> {
    const details: HandlerCallDetails = Object.freeze({
      method: this.#method,
      invocationMetadata: this.#metadata,
    });
    let handler: RpcMethodHandler | null | undefined;
    try {
      handler = await runServerInterceptors(this.#server.interceptors, details, (next) => {
        try {
          return Promise.resolve(this.#server.findHandler(next));
        } catch (error) {
          return Promise.reject(error);
        }
      });
    } catch (error) {
      this.#sendStatus(StatusCode.UNKNOWN, `Unexpected ${describeThrown(error)}`, undefined);
      return;
    }
    if (this.#over) return;
    if (handler == null) {
      this.#sendStatus(StatusCode.UNIMPLEMENTED, METHOD_NOT_FOUND, undefined);
      return;
    }
    if (!isRpcMethodHandler(handler)) {
      this.#sendStatus(
        StatusCode.INTERNAL,
        `The handler of ${this.#method} is not an RpcMethodHandler.`,
        undefined,
      );
      return;
    }
    if (handler.requestStreaming === unaryRequest) {
      const kind = `${handler.requestStreaming ? 'stream' : 'unary'}${handler.responseStreaming ? 'Stream' : 'Unary'}`;
      this.#sendStatus(
        StatusCode.INTERNAL,
        `The handler of ${this.#method} is ${kind}, invoked as another kind.`,
        undefined,
      );
      return;
    }
    this.#handler = handler;
    await this.#run(unaryRequest);
  }

  async #run(unaryRequest: boolean): Promise<void> {
    const handler = this.#handler!;
    try {
      const argument = unaryRequest ? this.#requests.shift() : this.#requestIterable();
      if (handler.responseStreaming) {
        const behavior = handler.requestStreaming ? handler.streamStream : handler.unaryStream;
        if (typeof behavior !== 'function') throw new TypeError(this.#missingBehavior());
        let result: unknown = behavior(argument as never, this);
        if (isThenable(result) && !isAsyncIterable(result)) result = await result;
        if (result != null) {
          if (!isAsyncIterable(result) && !isIterable(result)) {
            throw new TypeError(
              `A response-streaming handler must return an (async) iterable or nothing, got ${typeof result}.`,
            );
          }
          if (this.#responseStyle === READ_WRITE) throw new UsageError(API_STYLES_MIXED);
          this.#responseStyle = ITERATOR;
          for await (const response of result as AsyncIterable<unknown>) {
            if (this.#over) break;
            await this.#send(response);
          }
        }
        this.#finish(undefined, false);
      } else {
        const behavior = handler.requestStreaming ? handler.streamUnary : handler.unaryUnary;
        if (typeof behavior !== 'function') throw new TypeError(this.#missingBehavior());
        const response = await behavior(argument as never, this);
        this.#finish(response, true);
      }
    } catch (error) {
      if (this.#over) return;
      const code = this.#code;
      if (code !== undefined && code !== StatusCode.OK) {
        this.#sendStatus(code, this.#statusDetails ?? '', this.#trailingMetadata);
      } else {
        this.#sendStatus(StatusCode.UNKNOWN, `Unexpected ${describeThrown(error)}`, this.#trailingMetadata);
      }
    }
  }

  #missingBehavior(): string {
    const handler = this.#handler!;
    const kind = `${handler.requestStreaming ? 'stream' : 'unary'}${handler.responseStreaming ? 'Stream' : 'Unary'}`;
    return `The handler of ${this.#method} has no ${kind} behavior.`;
  }

  #finish(response: unknown, unary: boolean): void {
    if (this.#over) return;
    const code = this.#code;
    if (code !== undefined && code !== StatusCode.OK) {
      this.#sendStatus(code, this.#statusDetails ?? '', this.#trailingMetadata);
      return;
    }
    this.#sendStatus(
      StatusCode.OK,
      this.#statusDetails ?? '',
      this.#trailingMetadata,
      unary ? { response } : undefined,
    );
  }

  get #over(): boolean {
    return this.#statusSent || this.#terminated;
  }

  #sendStatus(
    code: StatusCode,
    details: string,
    trailingMetadata: Metadata | undefined,
    unary?: { response: unknown },
  ): void {
    if (this.#over) return;
    this.#statusSent = true;
    this.#initialMetadataSent = true;
    const termination: Termination = {
      ...(unary === undefined ? {} : { response: unary.response }),
      trailingMetadata: trailingMetadata ?? new Metadata(),
      code,
      details,
    };
    this.#end(termination);
    this.#markDone();
  }

  #terminate(reason: Error): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#terminationReason = reason;
    this.#controller?.abort(reason);
    const readers = this.#readers;
    this.#readers = [];
    for (const reader of readers) reader.reject(reason);
    this.#markDone();
  }

  #markDone(): void {
    if (this.#done) return;
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    const callbacks = this.#doneCallbacks;
    this.#doneCallbacks = undefined;
    if (callbacks !== undefined) for (const callback of callbacks) this.#runDoneCallback(callback);
  }

  #runDoneCallback(callback: (context: this) => void): void {
    try {
      callback(this);
    } catch (error) {
      process.emitWarning(`A done callback of ${this.#method} threw: ${describeThrown(error)}`, {
        type: 'GrpcAioWarning',
        code: 'GRPC_AIO_DONE_CALLBACK_ERROR',
      });
    }
  }

  #send(response: unknown): Promise<void> {
    if (this.#terminated) return Promise.reject(this.#terminationReason);
    if (this.#statusSent) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    this.#markInitialMetadata(new Metadata());
    const waiter = this.#responseWaiters.shift();
    if (waiter !== undefined) waiter.resolve(response);
    else this.#responses.push(response);
    return Promise.resolve();
  }

  #markInitialMetadata(metadata: Metadata): void {
    if (this.#initialMetadataSent) return;
    this.#initialMetadataSent = true;
    this.#initialMetadata.resolve(metadata);
  }

  #pull(): Promise<unknown> {
    if (this.#terminated) return Promise.reject(this.#terminationReason);
    if (this.#requests.length > 0) return Promise.resolve(this.#requests.shift());
    if (this.#halfClosed) return Promise.resolve(EOF);
    const reader = deferred<unknown>();
    this.#readers.push(reader);
    return reader.promise;
  }

  #requestIterable(): AsyncIterable<unknown> {
    return {
      [Symbol.asyncIterator]: () => {
        if (this.#requestStyle === READ_WRITE) throw new UsageError(API_STYLES_MIXED);
        this.#requestStyle = ITERATOR;
        return {
          next: async (): Promise<IteratorResult<unknown>> => {
            const request = await this.#pull();
            return request === EOF ? { done: true, value: undefined } : { done: false, value: request };
          },
          return: async (): Promise<IteratorResult<unknown>> => ({ done: true, value: undefined }),
        };
      },
    };
  }

  // ---- ServicerContext -------------------------------------------------------------------------

  read(): Promise<unknown> {
    if (this.#requestStyle === ITERATOR) return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#requestStyle = READ_WRITE;
    if (this.#statusSent) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    if (!this.#handler?.requestStreaming) {
      return this.#terminated ? Promise.reject(this.#terminationReason) : Promise.resolve(EOF);
    }
    return this.#pull();
  }

  write(message: unknown): Promise<void> {
    if (this.#responseStyle === ITERATOR) return Promise.reject(new UsageError(API_STYLES_MIXED));
    if (this.#handler !== undefined && !this.#handler.responseStreaming) {
      return Promise.reject(new UsageError(WRITE_ON_UNARY_RESPONSE));
    }
    this.#responseStyle = READ_WRITE;
    return this.#send(message);
  }

  async sendInitialMetadata(initialMetadata: MetadataLike): Promise<void> {
    if (this.#terminated) throw this.#terminationReason;
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    if (this.#initialMetadataSent) throw new UsageError(INITIAL_METADATA_ALREADY_SENT);
    this.#markInitialMetadata(Metadata.from(initialMetadata));
  }

  async abort(code: StatusCode, details = '', trailingMetadata?: MetadataLike | null): Promise<never> {
    if (this.#aborted) throw new UsageError(ABORT_ALREADY_CALLED);
    if (!isStatusCode(code)) throw new TypeError(`abort() needs a StatusCode, got ${String(code)}.`);
    if (typeof details !== 'string')
      throw new TypeError(`abort() details must be a string, got ${typeof details}.`);
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    const trailers = trailingMetadata == null ? undefined : Metadata.from(trailingMetadata);
    this.#aborted = true;
    if (trailers !== undefined && trailers.size > 0) this.#trailingMetadata = trailers;
    if (details !== '') this.#statusDetails = details;
    this.#code = code;
    this.#sendStatus(code, this.#statusDetails ?? '', this.#trailingMetadata);
    throw new AbortError(LOCALLY_ABORTED);
  }

  abortWithStatus(status: StatusLike): Promise<never> {
    if (typeof status !== 'object' || status === null) {
      return Promise.reject(new TypeError('abortWithStatus() needs a Status.'));
    }
    return this.abort(status.code, status.details, status.trailingMetadata);
  }

  setTrailingMetadata(trailingMetadata: MetadataLike): void {
    this.#trailingMetadata = Metadata.from(trailingMetadata);
  }

  trailingMetadata(): Metadata {
    return this.#trailingMetadata ?? new Metadata();
  }

  invocationMetadata(): Metadata {
    return this.#metadata;
  }

  setCode(code: StatusCode): void {
    if (!isStatusCode(code)) throw new TypeError(`setCode() needs a StatusCode, got ${String(code)}.`);
    this.#code = code;
  }

  setDetails(details: string): void {
    if (typeof details !== 'string')
      throw new TypeError(`setDetails() needs a string, got ${typeof details}.`);
    this.#statusDetails = details;
  }

  code(): StatusCode | undefined {
    return this.#code;
  }

  details(): string | undefined {
    return this.#statusDetails;
  }

  setCompression(compression: Compression): void {
    if (!isCompression(compression))
      throw new TypeError(`Unknown compression value: ${String(compression)}.`);
    if (this.#initialMetadataSent || this.#over) throw new UsageError(COMPRESSION_AFTER_METADATA);
  }

  disableNextMessageCompression(): void {
    // Nothing is compressed in the harness: messages never leave the process.
  }

  peer(): string {
    return this.#server.peer;
  }

  peerIdentities(): Uint8Array[] | undefined {
    const key = this.#server.peerIdentityKey;
    if (key === undefined) return undefined;
    return [...(this.#server.authContext[key] ?? [])];
  }

  peerIdentityKey(): string | undefined {
    return this.#server.peerIdentityKey;
  }

  authContext(): Record<string, Uint8Array[]> {
    return Object.fromEntries(
      Object.entries(this.#server.authContext).map(([key, values]) => [key, [...values]]),
    );
  }

  timeRemaining(): number | undefined {
    if (!Number.isFinite(this.#deadline)) return undefined;
    return Math.max(0, this.#deadline - this.#server.time.time());
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
      this.#runDoneCallback(callback);
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

function isGenericRpcHandler(value: unknown): value is GenericRpcHandler {
  return isObjectLike(value) && typeof (value as GenericRpcHandler).service === 'function';
}

/**
 * A server without sockets whose client is the test (Python's `grpc_testing.Server`, async):
 * handlers run with a fake {@link ServicerContext}, behind the server interceptors.
 * Messages pass by reference: handlers get the request objects the test sends, and the test the
 * response objects they return or yield (the handlers' codecs are not used).
 */
export class FakeServer {
  readonly time: Time;
  readonly interceptors: readonly ServerInterceptor[];
  readonly peer: string;
  readonly authContext: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly peerIdentityKey: string | undefined;
  readonly takeTimeout: number;
  readonly #registered = new Map<string, RpcMethodHandler>();
  readonly #generic: GenericRpcHandler[] = [];

  /** @internal Use {@link serverFromHandlers}. */
  constructor(handlers: readonly GenericRpcHandler[] | ServicerMap, options: ServerHarnessOptions) {
    this.time = options.time ?? strictRealTime();
    this.interceptors = validateServerInterceptors(options.interceptors);
    this.peer = options.peer ?? FAKE_CLIENT_PEER;
    this.authContext = options.authContext ?? {
      transport_security_type: [textBytes('insecure')],
      security_level: [textBytes('TSI_SECURITY_NONE')],
    };
    this.peerIdentityKey = options.peerIdentityKey;
    this.takeTimeout = options.takeTimeout ?? 5;
    if (Array.isArray(handlers)) {
      handlers.forEach((handler: unknown, index) => {
        if (!isGenericRpcHandler(handler)) {
          throw new TypeError(
            `Handler at index ${index} must be a GenericRpcHandler (an object with service()).`,
          );
        }
        this.#generic.push(handler);
      });
    } else if (isObjectLike(handlers)) {
      for (const [service, methods] of Object.entries(handlers as ServicerMap)) {
        for (const [name, handler] of Object.entries(methods)) {
          if (!isRpcMethodHandler(handler)) {
            throw new TypeError(`Handler of method "${name}" must be an RpcMethodHandler.`);
          }
          this.#registered.set(`/${service}/${name}`, handler);
        }
      }
    } else {
      throw new TypeError(
        'serverFromHandlers() needs GenericRpcHandlers or { service: { method: handler } }.',
      );
    }
  }

  /** @internal Registered handlers first, then the generic ones in order. */
  findHandler(details: HandlerCallDetails): RpcMethodHandler | null | undefined {
    const registered = this.#registered.get(details.method);
    if (registered !== undefined) return registered;
    for (const handler of this.#generic) {
      const found = handler.service(details);
      if (found != null) return found;
    }
    return undefined;
  }

  #rpc(method: string, options: InvokeOptions | undefined): HarnessRpc {
    if (typeof method !== 'string')
      throw new TypeError('The method must be a string like "/package.Service/Method".');
    const timeout = options?.timeout;
    if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError('timeout must be a number of seconds.');
    }
    return new HarnessRpc(this, method, Metadata.from(options?.metadata), timeout ?? undefined);
  }

  /** Invokes a unary-unary method with `request`. */
  invokeUnaryUnary<TRequest = any, TResponse = any>(
    method: string,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryUnaryServerRpc<TResponse> {
    return this.#rpc(method, options).start(request, true) as never;
  }

  /** Invokes a unary-stream method with `request`; take its responses with `takeResponse()`. */
  invokeUnaryStream<TRequest = any, TResponse = any>(
    method: string,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryStreamServerRpc<TResponse> {
    return this.#rpc(method, options).start(request, true) as never;
  }

  /** Invokes a stream-unary method; send requests with `sendRequest()`, then `requestsClosed()`. */
  invokeStreamUnary<TRequest = any, TResponse = any>(
    method: string,
    options?: InvokeOptions,
  ): StreamUnaryServerRpc<TRequest, TResponse> {
    return this.#rpc(method, options).start(undefined, false) as never;
  }

  /** Invokes a stream-stream method. */
  invokeStreamStream<TRequest = any, TResponse = any>(
    method: string,
    options?: InvokeOptions,
  ): StreamStreamServerRpc<TRequest, TResponse> {
    return this.#rpc(method, options).start(undefined, false) as never;
  }
}

/**
 * A servicer harness (Python's `grpc_testing.server_from_dictionary`): `handlers` are
 * GenericRpcHandlers (e.g. from `methodHandlersGenericHandler`) or `{ 'pkg.Service': { Method:
 * handler } }`.
 */
export function serverFromHandlers(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  options: ServerHarnessOptions = {},
): FakeServer {
  const list = isGenericRpcHandler(handlers) ? [handlers] : handlers;
  return new FakeServer(list as readonly GenericRpcHandler[] | ServicerMap, options);
}
