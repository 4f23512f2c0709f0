import {
  type CallTelemetry,
  type Compression,
  checkTelemetry,
  type GenericRpcHandler,
  globalTelemetry,
  type HandlerCallDetails,
  type MethodHandlers,
  type RpcMethodHandler,
  type ServerCallTelemetry,
  type ServicerContext,
  StatusCode,
  statusCodeToString,
} from '@grpc-aio/core';
import { LOCALLY_CANCELLED, UsageError } from '@grpc-aio/errors';
import { validateServerInterceptors } from '@grpc-aio/interceptors/internal';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import {
  isGenericRpcHandler,
  isRpcMethodHandler,
  type MessageCodec,
  type PeerAuth,
  type RpcHost,
  type ServerCallTransport,
  ServerRpc,
  serverRpcEvents,
  type TransportStatus,
} from '@grpc-aio/server/internal';
import { bounded, deferred, Inbox } from './deferred.js';
import { DEFAULT_TAKE_TIMEOUT, FAKE_DEADLINE_EXCEEDED } from './fake-channel.js';
import { type MethodRef, methodPath } from './method-ref.js';
import { checkFakeOptions, checkOptions, checkStringOption } from './options.js';
import { clockOf, type ScheduledCall, strictRealTime, type Time } from './time.js';

/** `sendRequest()` after `closeRequests()`. */
export const REQUESTS_ALREADY_CLOSED = 'sendRequest() after closeRequests().';
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

/** The keys of {@link ServerHarnessOptions}: anything else is refused. */
const HARNESS_OPTIONS = new Set([
  'time',
  'interceptors',
  'peer',
  'authContext',
  'peerIdentityKey',
  'takeTimeout',
  'telemetry',
]);
/** The keys of {@link InvokeOptions}: anything else is refused. */
const INVOKE_OPTIONS = new Set(['metadata', 'timeout']);

function invokeOptionHint(key: string): string | undefined {
  return key === 'deadline' ? 'give timeout, in seconds' : undefined;
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

// Messages pass by reference: the harness's transport carries each request or response object as
// a unique empty Buffer standing for it, and the server's codec step maps between the two (in place
// of the handlers' own codecs).
const byReference = new WeakMap<Buffer, unknown>();
function asMessage(value: unknown): Buffer {
  const token = Buffer.alloc(0);
  byReference.set(token, value);
  return token;
}
/** The size telemetry records for a message passed by reference: bytes have one, objects none. */
const sizeOf = (value: unknown): number => (value instanceof Uint8Array ? value.byteLength : 0);
function fromMessage(message: Buffer): unknown {
  return byReference.get(message);
}
const BY_REFERENCE: MessageCodec = Object.freeze({ deserialize: fromMessage, serialize: asMessage });

interface Kind {
  readonly requestStreaming: boolean;
  readonly responseStreaming: boolean;
}
const kindName = ({ requestStreaming, responseStreaming }: Kind): string =>
  `${requestStreaming ? 'stream' : 'unary'}${responseStreaming ? 'Stream' : 'Unary'}`;

/**
 * The outermost interceptor of every harness RPC: the test said which kind of RPC it invokes (a
 * real client does so by how it calls), and a handler of another kind ends the RPC with INTERNAL.
 */
function kindCheck(method: string, invoked: Kind): ServerInterceptor {
  return {
    async interceptService(continuation, details) {
      const handler = await continuation(details);
      if (
        !isRpcMethodHandler(handler) ||
        (handler.requestStreaming === invoked.requestStreaming &&
          handler.responseStreaming === invoked.responseStreaming)
      ) {
        return handler;
      }
      const message = `The handler of ${method} is ${kindName(handler)}, invoked as another kind.`;
      const refuse = (_request: unknown, context: ServicerContext) =>
        context.abort(StatusCode.INTERNAL, message);
      return {
        ...invoked,
        unaryUnary: refuse,
        unaryStream: refuse,
        streamUnary: refuse,
        streamStream: refuse,
      } as RpcMethodHandler;
    },
  };
}

/**
 * One RPC of the harness: the per-call transport of the server's own RPC machinery (a
 * `ServerRpc` of @grpc-aio/server, which is the handler's `ServicerContext`), and the
 * test's handle on the client side.
 */
class HarnessCall implements ServerCallTransport {
  readonly #server: FakeServer;
  readonly #method: string;
  readonly #kind: Kind;
  readonly #rpc: ServerRpc;
  readonly #deadline: number; // ms on the harness clock
  readonly #metadata: Metadata;
  readonly #telemetry: ServerCallTelemetry | undefined;
  #timer: ScheduledCall | undefined;

  // Requests, as messages for the server.
  #requests: Buffer[] = [];
  #halfClosed = false;
  #halfCloseDelivered = false;
  #reads = 0;
  #delivering = false;

  // What the server sent.
  readonly #responses = new Inbox<unknown>();
  #response: { value: unknown } | undefined;
  readonly #initialMetadata = deferred<Metadata>();
  readonly #termination = deferred<Termination>();
  #ended: Termination | undefined;

  constructor(
    server: FakeServer,
    method: string,
    kind: Kind,
    metadata: Metadata,
    timeout: number | undefined,
  ) {
    this.#server = server;
    this.#method = method;
    this.#kind = kind;
    const time = server.time;
    const host: RpcHost = {
      interceptors: [kindCheck(method, kind), ...server.interceptors],
      findHandler: (_path, details) => server.findHandler(details()),
      admit: () => true,
      ended: () => {},
      clock: clockOf(time),
      codec: BY_REFERENCE,
    };
    this.#metadata = metadata.copy();
    this.#rpc = new ServerRpc(host, method, this);
    this.#telemetry = server.callTelemetry(method, this.#rpc);
    if (this.#telemetry !== undefined) this.#rpc.observe(this.#telemetry);
    if (timeout == null) {
      this.#deadline = Number.POSITIVE_INFINITY;
    } else {
      const deadline = time.time() + timeout;
      this.#deadline = deadline * 1000;
      this.#timer = time.callAt(() => this.#expire(), deadline);
    }
  }

  // ---- the test (client) side ----------------------------------------------------------------

  start(request: unknown, unaryRequest: boolean): this {
    if (unaryRequest) {
      this.#requests.push(asMessage(request));
      this.#telemetry?.onReceived(sizeOf(request));
      this.#halfClosed = true;
    }
    this.#rpc.dispatch();
    return this;
  }

  sendRequest(request: unknown): void {
    if (this.#halfClosed) throw new UsageError(REQUESTS_ALREADY_CLOSED);
    if (this.#ended !== undefined) return;
    this.#requests.push(asMessage(request));
    this.#telemetry?.onReceived(sizeOf(request));
    this.#deliver();
  }

  closeRequests(): void {
    if (this.#halfClosed) return;
    this.#halfClosed = true;
    this.#deliver();
  }

  cancel(): void {
    if (this.#ended !== undefined) return;
    this.#end({ trailingMetadata: new Metadata(), code: StatusCode.CANCELLED, details: LOCALLY_CANCELLED });
    serverRpcEvents.cancel(this.#rpc, 'client');
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
    const next = this.#responses.take(() =>
      this.#ended === undefined ? undefined : Promise.reject(this.#noMoreResponses()),
    );
    return bounded(next, this.#server.takeTimeout, () => `takeResponse() on ${this.#method} timed out.`);
  }

  #noMoreResponses(): Error {
    const ended = this.#ended!;
    return new Error(
      `takeResponse() on ${this.#method}: the RPC ended with ${statusCodeToString(ended.code)} "${ended.details}" and no further response.`,
    );
  }

  #end(termination: Termination): void {
    this.#ended = termination;
    this.#telemetry?.onEnd(termination.code, termination.details);
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#initialMetadata.resolve(new Metadata());
    this.#termination.resolve(termination);
    this.#responses.settleWaiting((waiter) => waiter.reject(this.#noMoreResponses()));
  }

  /** The deadline passed: the client sees DEADLINE_EXCEEDED, the server a cancellation. */
  #expire(): void {
    if (this.#ended !== undefined) return;
    this.#end({
      trailingMetadata: new Metadata(),
      code: StatusCode.DEADLINE_EXCEEDED,
      details: FAKE_DEADLINE_EXCEEDED,
    });
    serverRpcEvents.cancel(this.#rpc, 'deadline');
  }

  /** Answers the server's pending reads (one message or the half-close each), a turn later as grpc-js does. */
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    queueMicrotask(() => {
      this.#delivering = false;
      while (this.#reads > 0 && this.#ended === undefined) {
        const request = this.#requests.shift();
        if (request !== undefined) {
          this.#reads--;
          serverRpcEvents.message(this.#rpc, request);
        } else if (this.#halfClosed && !this.#halfCloseDelivered) {
          this.#reads--;
          this.#halfCloseDelivered = true;
          serverRpcEvents.halfClose(this.#rpc);
        } else {
          return;
        }
      }
    });
  }

  // ---- ServerCallTransport (the server's side) ------------------------------------------------

  sendMetadata(metadata: Metadata): void {
    if (this.#ended === undefined) this.#initialMetadata.resolve(metadata.copy());
  }

  sendMessage(message: Buffer, callback: () => void): void {
    if (this.#ended !== undefined) return;
    this.#initialMetadata.resolve(new Metadata());
    const response = fromMessage(message);
    this.#telemetry?.onSent(sizeOf(response));
    if (!this.#kind.responseStreaming) this.#response = { value: response };
    else this.#responses.put(response);
    // No flow control: the test takes responses at its own pace.
    callback();
  }

  sendFinalMessage(message: Buffer): void {
    this.sendMessage(message, () => {});
  }

  sendStatus(status: TransportStatus): void {
    if (this.#ended !== undefined) return;
    const unary = status.code === StatusCode.OK ? this.#response : undefined;
    this.#end({
      ...(unary === undefined ? {} : { response: unary.value }),
      trailingMetadata: status.metadata?.copy() ?? new Metadata(),
      code: status.code,
      details: status.details ?? '',
    });
  }

  startRead(): void {
    this.#reads++;
    this.#deliver();
  }

  setCompression(_compression: Compression): void {
    // Messages pass by reference: there is nothing to compress.
  }

  getRequestMetadata(): Metadata {
    return this.#metadata;
  }

  getPeer(): string {
    return this.#server.peer;
  }

  getDeadline(): number {
    return this.#deadline;
  }

  getPeerAuth(): PeerAuth {
    const key = this.#server.peerIdentityKey;
    const context = this.#server.authContext;
    return {
      context: Object.fromEntries(Object.entries(context).map(([name, values]) => [name, [...values]])),
      identityKey: key,
    };
  }
}

const UNARY_UNARY: Kind = { requestStreaming: false, responseStreaming: false };
const UNARY_STREAM: Kind = { requestStreaming: false, responseStreaming: true };
const STREAM_UNARY: Kind = { requestStreaming: true, responseStreaming: false };
const STREAM_STREAM: Kind = { requestStreaming: true, responseStreaming: true };

/**
 * A server without sockets whose client is the test (Python's `grpc_testing.Server`, async):
 * handlers run with the server's own `ServicerContext` (the RPC machinery of @grpc-aio/server
 * over a fake transport), behind the server interceptors.
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
  readonly #telemetry: CallTelemetry | undefined;
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
    this.takeTimeout = options.takeTimeout ?? DEFAULT_TAKE_TIMEOUT;
    this.#telemetry = checkTelemetry('serverFromHandlers()', options.telemetry);
    if (Array.isArray(handlers)) {
      handlers.forEach((handler: unknown, index) => {
        if (!isGenericRpcHandler(handler)) {
          throw new TypeError(
            `Handler at index ${index} must be a GenericRpcHandler (an object with service()).`,
          );
        }
        this.#generic.push(handler);
      });
    } else if (typeof handlers === 'object' && handlers !== null) {
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

  /** @internal The recorder of a new RPC (its own telemetry, else the global one), or undefined. */
  callTelemetry(method: string, rpc: ServerRpc): ServerCallTelemetry | undefined {
    const telemetry = this.#telemetry ?? globalTelemetry();
    return telemetry?.serverCall?.({
      method,
      registered: this.#registered.has(method),
      metadata: () => rpc.invocationMetadata(),
    });
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

  #invoke<TRpc>(kind: Kind, method: MethodRef, options: InvokeOptions | undefined, request?: unknown): TRpc {
    const name = kindName(kind);
    const what = `invoke${name.charAt(0).toUpperCase()}${name.slice(1)}()`;
    const path = methodPath(method);
    if (options != null) checkOptions(what, options, INVOKE_OPTIONS, invokeOptionHint);
    const timeout = options?.timeout;
    if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError('timeout must be a number of seconds.');
    }
    const call = new HarnessCall(this, path, kind, Metadata.from(options?.metadata), timeout ?? undefined);
    return call.start(request, !kind.requestStreaming) as unknown as TRpc;
  }

  // The request types default to `unknown` (requests are only sent); the response types to `any`,
  // as the RPCs' (a test reads the responses of a method named by path without casts).

  /** Invokes a unary-unary method with `request`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeUnaryUnary<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryUnaryServerRpc<TResponse> {
    return this.#invoke(UNARY_UNARY, method, options, request);
  }

  /** Invokes a unary-stream method with `request`; take its responses with `takeResponse()`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeUnaryStream<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    request: TRequest,
    options?: InvokeOptions,
  ): UnaryStreamServerRpc<TResponse> {
    return this.#invoke(UNARY_STREAM, method, options, request);
  }

  /** Invokes a stream-unary method; send requests with `sendRequest()`, then `closeRequests()`. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeStreamUnary<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: InvokeOptions,
  ): StreamUnaryServerRpc<TRequest, TResponse> {
    return this.#invoke(STREAM_UNARY, method, options);
  }

  /** Invokes a stream-stream method. */
  // biome-ignore lint/suspicious/noExplicitAny: the response type's default (see above)
  invokeStreamStream<TRequest = unknown, TResponse = any>(
    method: MethodRef<TRequest, TResponse>,
    options?: InvokeOptions,
  ): StreamStreamServerRpc<TRequest, TResponse> {
    return this.#invoke(STREAM_STREAM, method, options);
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
  checkFakeOptions('serverFromHandlers()', options, HARNESS_OPTIONS);
  checkStringOption('serverFromHandlers()', 'peer', options.peer);
  checkStringOption('serverFromHandlers()', 'peerIdentityKey', options.peerIdentityKey);
  if (options.authContext != null && typeof options.authContext !== 'object')
    throw new TypeError(
      'serverFromHandlers() option authContext must be an object of byte arrays by property.',
    );
  const list = isGenericRpcHandler(handlers) ? [handlers] : handlers;
  return new FakeServer(list as readonly GenericRpcHandler[] | ServicerMap, options);
}
