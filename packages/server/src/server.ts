import {
  type CallTelemetry,
  type ChannelOption,
  Compression,
  checkTelemetry,
  type GenericRpcHandler,
  type HandlerCallDetails,
  isCompression,
  type MethodHandlers,
  type RpcMethodHandler,
  type Server,
  type ServerCallTelemetry,
  type ServerCredentials,
  type ServerOptions,
  StatusCode,
} from '@grpc-aio/core';
import { rejectUnknownOptions, setLongTimeout } from '@grpc-aio/core/internal';
import { SERVER_NOT_READY, UsageError } from '@grpc-aio/errors';
import { validateServerInterceptors } from '@grpc-aio/interceptors/internal';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { type ChannelzServer, registerServer, unregisterServer } from './channelz.js';
import { type CredentialsSpec, credentialsSpec, insecureServerCredentials } from './credentials.js';
import {
  LATE_REGISTRATION_WARNING_CODE,
  MAXIMUM_CONCURRENT_RPCS_INVALID,
  SERVER_SHUTTING_DOWN,
} from './messages.js';
import { isGenericRpcHandler, methodHandlerPaths } from './method-handlers.js';
import type { RpcHost } from './rpc-host.js';
import { rpcTelemetry, type ServerRpc } from './server-rpc.js';
import { transportSettings } from './server-settings.js';
import type { GrpcWebOptions } from './transport/grpc-web.js';
import { Http2Transport, type TransportHost } from './transport/http2-transport.js';

// Server states, in order.
const State = { New: 0, Started: 1, Stopping: 2, Stopped: 3 } as const;
type State = (typeof State)[keyof typeof State];

function checkGenericHandlers(handlers: unknown): GenericRpcHandler[] {
  if (handlers == null) return [];
  if (!Array.isArray(handlers)) throw new TypeError('Generic handlers must be an array.');
  handlers.forEach((handler, index) => {
    if (!isGenericRpcHandler(handler)) {
      throw new TypeError(
        `Generic handler at index ${index} must have a service(handlerCallDetails) method.`,
      );
    }
  });
  return handlers as GenericRpcHandler[];
}

function checkGrace(grace: unknown, what: string): number | undefined {
  if (grace == null) return undefined;
  if (typeof grace !== 'number' || Number.isNaN(grace))
    throw new TypeError(`${what} must be a number of seconds or null.`);
  if (grace < 0) throw new RangeError(`${what} must not be negative, got ${grace}.`);
  return grace;
}

// How long cut-off RPCs' statuses may take to flush once stop() forces the end.
const FLUSH_MS = 250;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

interface StopState {
  deadline: number;
  /** Cancels the timer that forces the stop at the grace's end. */
  timer: (() => void) | undefined;
  forced: boolean;
  force: () => void;
  promise: Promise<void>;
}

/**
 * The grpc.aio server (Python's `aio.Server`), on its own gRPC-over-HTTP/2 transport; made by
 * {@link server}.
 */
class AioServer implements Server, RpcHost, TransportHost {
  readonly interceptors: readonly ServerInterceptor[];
  readonly #transport: Http2Transport;
  readonly #channelz: ChannelzServer | undefined;
  readonly #generic: GenericRpcHandler[];
  readonly #registered = new Map<string, RpcMethodHandler>();
  readonly #maximumConcurrentRpcs: number;
  readonly #telemetry: CallTelemetry | undefined;
  readonly #rpcs = new Set<ServerRpc>();
  #waitingForStart: ServerRpc[] = [];
  #admitted = 0;
  #state: State = State.New;
  #stop: StopState | undefined;
  #allEnded: (() => void) | undefined;
  readonly #terminated: Promise<void>;
  #resolveTerminated!: () => void;

  constructor(options: AioServerOptions) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('server() options must be an object.');
    rejectUnknownOptions('server()', options, SERVER_OPTIONS, serverOptionHint);
    this.interceptors = validateServerInterceptors(options.interceptors);
    this.#generic = [...checkGenericHandlers(options.handlers)];
    this.#telemetry = checkTelemetry('server()', options.telemetry);
    const maximum = options.maximumConcurrentRpcs;
    if (maximum != null) {
      // Python's text (ValueError there): "maximum_concurrent_rpcs should be a positive integer".
      if (typeof maximum !== 'number')
        throw new TypeError(`${MAXIMUM_CONCURRENT_RPCS_INVALID}, got ${typeof maximum}.`);
      if (!Number.isInteger(maximum) || maximum <= 0)
        throw new RangeError(`${MAXIMUM_CONCURRENT_RPCS_INVALID}, got ${maximum}.`);
    }
    this.#maximumConcurrentRpcs = maximum ?? Number.POSITIVE_INFINITY;
    if (options.compression != null && !isCompression(options.compression)) {
      throw new TypeError(`Unknown compression value: ${String(options.compression)}.`);
    }
    const settings = transportSettings(
      options.options as readonly ChannelOption[] | undefined,
      options.compression ?? Compression.NoCompression,
      options.grpcWeb,
    );
    this.#channelz = settings.enableChannelz ? registerServer() : undefined;
    this.#transport = new Http2Transport(this, settings, this.#channelz);
    this.#terminated = new Promise((resolve) => {
      this.#resolveTerminated = resolve;
    });
  }

  // ---- RpcHost -----------------------------------------------------------------------------------

  findHandler(path: string, details: () => HandlerCallDetails): RpcMethodHandler | null | undefined {
    const registered = this.#registered.get(path);
    if (registered !== undefined) return registered;
    const generic = this.#generic;
    if (generic.length === 0) return undefined;
    const handlerCallDetails = details();
    for (const handler of generic) {
      const found = handler.service(handlerCallDetails);
      if (found != null) return found;
    }
    return undefined;
  }

  admit(): boolean {
    if (this.#admitted >= this.#maximumConcurrentRpcs) return false;
    this.#admitted++;
    return true;
  }

  ended(rpc: ServerRpc, admitted: boolean): void {
    this.#rpcs.delete(rpc);
    if (admitted) this.#admitted--;
    if (this.#rpcs.size === 0) this.#allEnded?.();
  }

  // ---- TransportHost -----------------------------------------------------------------------------

  get rpcHost(): RpcHost {
    return this;
  }

  callTelemetry(path: string, rpc: ServerRpc): ServerCallTelemetry | undefined {
    // The one telemetry check of a call: nothing more runs (nor is allocated) for it when no
    // telemetry is set or registered.
    return rpcTelemetry(this.#telemetry, rpc, this.#registered.has(path));
  }

  accept(rpc: ServerRpc): void {
    if (this.#state >= State.Stopping) {
      rpc.refuse(StatusCode.UNAVAILABLE, SERVER_SHUTTING_DOWN);
      return;
    }
    this.#rpcs.add(rpc);
    if (this.#state === State.New) this.#waitingForStart.push(rpc);
    else rpc.dispatch();
  }

  // ---- Server ------------------------------------------------------------------------------------

  addGenericRpcHandlers(genericRpcHandlers: readonly GenericRpcHandler[]): void {
    this.#generic.push(...checkGenericHandlers(genericRpcHandlers));
  }

  addRegisteredMethodHandlers(serviceName: string, methodHandlers: MethodHandlers): void {
    const paths = methodHandlerPaths(serviceName, methodHandlers);
    if (this.#state !== State.New) {
      process.emitWarning(
        `addRegisteredMethodHandlers("${serviceName}") after start() is ignored: register handlers before starting the server.`,
        { type: 'GrpcAioWarning', code: LATE_REGISTRATION_WARNING_CODE },
      );
      return;
    }
    for (const [path, handler] of paths) this.#registered.set(path, handler);
  }

  addInsecurePort(address: string): Promise<number> {
    return this.#bind(address, insecureServerCredentials());
  }

  addSecurePort(address: string, serverCredentials: ServerCredentials): Promise<number> {
    return this.#bind(address, serverCredentials);
  }

  #bind(address: string, credentials: ServerCredentials): Promise<number> {
    if (typeof address !== 'string' || address === '') {
      return Promise.reject(new TypeError('The address must be a non-empty string such as "127.0.0.1:0".'));
    }
    if (this.#state >= State.Stopping) return Promise.reject(new UsageError(SERVER_NOT_READY));
    let spec: CredentialsSpec;
    try {
      spec = credentialsSpec(credentials);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#transport.bind(address, spec);
  }

  async start(): Promise<void> {
    if (this.#state === State.Started) return;
    if (this.#state !== State.New) throw new UsageError(SERVER_NOT_READY);
    this.#state = State.Started;
    const waiting = this.#waitingForStart;
    this.#waitingForStart = [];
    for (const rpc of waiting) rpc.dispatch();
  }

  stop(grace?: number | null): Promise<void> {
    let seconds: number | undefined;
    try {
      seconds = checkGrace(grace, 'grace');
    } catch (error) {
      return Promise.reject(error);
    }
    const now = Date.now();
    const deadline = seconds === undefined ? now : now + seconds * 1000;
    const stop = this.#stop ?? this.#beginStop();
    // Once stopped, a later stop() has nothing left to cut short (and arms no timer).
    if (deadline < stop.deadline && this.#state !== State.Stopped) {
      stop.deadline = deadline;
      stop.timer?.();
      stop.timer = undefined;
      if (deadline <= now) stop.force();
      else stop.timer = setLongTimeout(stop.force, deadline - now);
    }
    return stop.promise;
  }

  #beginStop(): StopState {
    this.#state = State.Stopping;
    // Stops accepting at once: listeners close, every connection gets a GOAWAY.
    const shutDown = this.#transport.shutdown();
    let resolveForced!: () => void;
    const forced = new Promise<void>((resolve) => {
      resolveForced = resolve;
    });
    const allEnded = new Promise<void>((resolve) => {
      this.#allEnded = resolve;
      if (this.#rpcs.size === 0) resolve();
    });
    const stop: StopState = {
      deadline: Number.POSITIVE_INFINITY,
      timer: undefined,
      forced: false,
      force: () => {
        if (stop.forced) return;
        stop.forced = true;
        stop.timer?.();
        for (const rpc of [...this.#rpcs]) rpc.cancelForStop();
        resolveForced();
      },
      promise: Promise.resolve(),
    };
    stop.promise = this.#finishStop(stop, allEnded, shutDown, forced);
    this.#stop = stop;
    return stop;
  }

  async #finishStop(
    stop: StopState,
    allEnded: Promise<void>,
    shutDown: Promise<void>,
    forced: Promise<void>,
  ): Promise<void> {
    // RPCs waiting for a start() that will not come are cut off now.
    const waiting = this.#waitingForStart;
    this.#waitingForStart = [];
    for (const rpc of waiting) rpc.cancelForStop();
    await allEnded;
    // Every handler has ended. Connections still open (a client not reading its last responses)
    // are closed once the grace is over; without one, at once.
    // When RPCs were cut off, their UNAVAILABLE statuses get a short while to reach the clients
    // before the connections are destroyed.
    await Promise.race([shutDown, forced.then(() => Promise.race([shutDown, delay(FLUSH_MS)]))]);
    stop.timer?.();
    this.#transport.destroy();
    if (this.#channelz !== undefined) unregisterServer(this.#channelz);
    this.#state = State.Stopped;
    this.#resolveTerminated();
  }

  async waitForTermination(timeout?: number | null): Promise<boolean> {
    const seconds = checkGrace(timeout, 'timeout');
    if (seconds === undefined) {
      await this.#terminated;
      return false;
    }
    let cancel: (() => void) | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      cancel = setLongTimeout(() => resolve(true), seconds * 1000);
    });
    try {
      return await Promise.race([this.#terminated.then(() => false), timedOut]);
    } finally {
      cancel?.();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop(null);
  }

  get [Symbol.toStringTag](): string {
    return 'Server';
  }
}

/**
 * Options of {@link server}: Python's `aio.server()` keyword arguments (`migration_thread_pool` has
 * no equivalent in Node), plus `grpcWeb`, an addition of ours.
 */
export type AioServerOptions = ServerOptions<ServerInterceptor> & {
  /** Serve gRPC-Web (browsers) on the same ports, with CORS; off unless given. See {@link GrpcWebOptions}. */
  grpcWeb?: GrpcWebOptions | null | undefined;
  /**
   * Telemetry for this server's calls (an `OpenTelemetryPlugin` of `@grpc-aio/observability`), in
   * place of the globally registered one. Without it, calls report to whatever telemetry is
   * registered globally when each call arrives.
   */
  telemetry?: CallTelemetry | null | undefined;
};

/** The keys of {@link AioServerOptions}: anything else is refused. */
const SERVER_OPTIONS = new Set([
  'handlers',
  'interceptors',
  'options',
  'maximumConcurrentRpcs',
  'compression',
  'grpcWeb',
  'telemetry',
]);

function serverOptionHint(key: string): string | undefined {
  if (key === 'migrationThreadPool' || key === 'migration_thread_pool')
    return 'Node runs handlers on its event loop: there is no thread pool';
  if (key.includes('.')) return `a channel argument goes in options: [['${key}', value]]`;
  return undefined;
}

/**
 * Creates a server (Python's `aio.server()`).
 *
 * @param options the server's options:
 *   - `handlers`: generic handlers, as if passed to `addGenericRpcHandlers`;
 *   - `interceptors`: server interceptors, interceptors[0] outermost; they run before the handler
 *     lookup, with the invocation metadata;
 *   - `options`: channel arguments as `[key, value]` pairs, under C-core's names
 *     (`'grpc.max_receive_message_length'` ..., see the README); unknown keys are ignored, as C-core does;
 *   - `maximumConcurrentRpcs`: RPCs beyond this many at once end with RESOURCE_EXHAUSTED;
 *   - `compression`: the default compression of responses (used when the client accepts it);
 *   - `grpcWeb`: serve gRPC-Web too, on every port, over HTTP/2 and HTTP/1.1:
 *     `{ allowedOrigins: ['https://app.example'] }` (see {@link GrpcWebOptions});
 *   - `telemetry`: metrics and traces of this server's calls (an `OpenTelemetryPlugin`), in place
 *     of the globally registered telemetry.
 *   Any other key is a TypeError naming it.
 * @throws TypeError for a non-interceptor, a bad handler or option (`grpcWeb` included); RangeError for
 *   `maximumConcurrentRpcs <= 0`.
 *
 * @example
 * const srv = server({ maximumConcurrentRpcs: 100 });
 * srv.addGenericRpcHandlers([methodHandlersGenericHandler('helloworld.Greeter', { SayHello: unaryUnaryRpcMethodHandler(sayHello, decode, encode) })]);
 * const port = await srv.addInsecurePort('127.0.0.1:0');
 * await srv.start();
 * await srv.waitForTermination();
 */
export function server(options: AioServerOptions = {}): Server {
  return new AioServer(options);
}
