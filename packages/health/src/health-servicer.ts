import type {
  Deserializer,
  MethodHandlers,
  RpcMethodHandler,
  Serializer,
  Server,
  ServicerContext,
  UnaryStreamBehavior,
  UnaryUnaryBehavior,
} from '@grpc-aio/core';
import { StatusCode } from '@grpc-aio/core';
import {
  decodeCheckRequest,
  decodeListRequest,
  encodeCheckResponse,
  encodeListResponse,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthListRequest,
  type HealthListResponse,
  SERVICE_NAME,
  ServingStatus,
} from './health-proto.js';

/** Start of the NOT_FOUND details of `Check` for an unknown service (`Unknown service: "name"`). */
export const UNKNOWN_SERVICE = 'Unknown service';

/** The most services `List` reports; beyond it List answers RESOURCE_EXHAUSTED, as the protocol asks. */
export const LIST_LIMIT = 100;

/** One open Watch stream. */
interface Watcher {
  /** Wakes the stream: its service's status was set. */
  notify: () => void;
  /** True while the stream has sent everything there is to send and waits for a change. */
  notified: boolean;
  /** Resolved (and emptied) when `notified` turns true or the stream ends. */
  waiters: (() => void)[];
}

function settle(watcher: Watcher): void {
  watcher.notified = true;
  for (const resolve of watcher.waiters.splice(0)) resolve();
}

/** A unary-request method of the service, with its codecs and its one behaviour. */
function methodHandler<TRequest, TResponse>(
  requestDeserializer: Deserializer<TRequest>,
  responseSerializer: Serializer<TResponse>,
  behavior:
    | { readonly unaryUnary: UnaryUnaryBehavior<TRequest, TResponse> }
    | { readonly unaryStream: UnaryStreamBehavior<TRequest, TResponse> },
): RpcMethodHandler<TRequest, TResponse> {
  return {
    requestStreaming: false,
    responseStreaming: 'unaryStream' in behavior,
    requestDeserializer,
    responseSerializer,
    ...behavior,
  };
}

function checkStatus(status: unknown): asserts status is ServingStatus {
  if (status !== 0 && status !== 1 && status !== 2 && status !== 3) {
    throw new TypeError(`Health status must be a ServingStatus (0..3), got ${String(status)}.`);
  }
}

/**
 * The grpc.health.v1 Health service with Python's aio semantics (`grpc_health.v1.health.aio.HealthServicer`):
 *
 * - the status map starts as `{'': SERVING}` (the whole server is serving);
 * - `Check` of an unknown service ends with NOT_FOUND;
 * - `Watch` sends the current status at once (SERVICE_UNKNOWN for an unknown service), then each
 *   change, never the same status twice in a row; it ends when the client cancels or the server stops;
 * - `List` returns every known status;
 * - after `enterGracefulShutdown()` every known service is NOT_SERVING and `set()` is ignored.
 */
export class HealthServicer {
  readonly #statuses = new Map<string, ServingStatus>([['', ServingStatus.SERVING]]);
  readonly #watchers = new Map<string, Set<Watcher>>();
  #shuttingDown = false;

  /**
   * Sets the status of `service` ('' is the whole server) and wakes its watchers. Ignored after
   * `enterGracefulShutdown()`.
   * @throws TypeError when `service` is not a string or `status` not a ServingStatus (Python accepts anything).
   */
  async set(service: string, status: ServingStatus): Promise<void> {
    if (typeof service !== 'string')
      throw new TypeError(`Health service name must be a string, got ${typeof service}.`);
    checkStatus(status);
    if (this.#shuttingDown) return;
    this.#set(service, status);
  }

  /** Marks every known service NOT_SERVING and ignores later `set()` calls. Idempotent. */
  async enterGracefulShutdown(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const service of [...this.#statuses.keys()]) this.#set(service, ServingStatus.NOT_SERVING);
  }

  /** True once `enterGracefulShutdown()` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** The status of `service`, or undefined when it is unknown. */
  status(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Number of Watch streams currently open (for metrics and leak checks). */
  get activeWatchers(): number {
    let count = 0;
    for (const watchers of this.#watchers.values()) count += watchers.size;
    return count;
  }

  /** The Check RPC. */
  async check(request: HealthCheckRequest, context: ServicerContext): Promise<HealthCheckResponse> {
    const status = this.#statuses.get(request.service);
    if (status === undefined)
      return context.abort(StatusCode.NOT_FOUND, `${UNKNOWN_SERVICE}: "${request.service}"`);
    return { status };
  }

  /** The List RPC. */
  async list(_request: HealthListRequest, context: ServicerContext): Promise<HealthListResponse> {
    if (this.#statuses.size > LIST_LIMIT) {
      return context.abort(StatusCode.RESOURCE_EXHAUSTED, `More than ${LIST_LIMIT} services to list.`);
    }
    const statuses: Record<string, HealthCheckResponse> = {};
    for (const [service, status] of this.#statuses) statuses[service] = { status };
    return { statuses };
  }

  /**
   * Resolves once every open Watch stream has handed its latest status to the transport (or has
   * ended). A watcher whose client does not read can hold this up: bound the wait.
   */
  watchersNotified(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const watchers of this.#watchers.values()) {
      for (const watcher of watchers) {
        if (!watcher.notified) pending.push(new Promise<void>((resolve) => watcher.waiters.push(resolve)));
      }
    }
    return Promise.all(pending).then(() => undefined);
  }

  /** The Watch RPC: an async generator of status updates. */
  async *watch(request: HealthCheckRequest, context: ServicerContext): AsyncGenerator<HealthCheckResponse> {
    const service = request.service;
    let watchers = this.#watchers.get(service);
    if (watchers === undefined) this.#watchers.set(service, (watchers = new Set()));
    let changed = false;
    let wake: (() => void) | undefined;
    const watcher: Watcher = {
      notified: false,
      waiters: [],
      notify: () => {
        changed = true;
        watcher.notified = false;
        wake?.();
      },
    };
    const onAbort = () => wake?.();
    watchers.add(watcher);
    context.signal.addEventListener('abort', onAbort);
    try {
      let last: ServingStatus | undefined;
      while (!context.signal.aborted) {
        const status = this.#statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (status !== last) {
          last = status;
          // The server resumes this generator once the message was handed to the transport.
          yield { status };
        }
        if (!changed && !context.signal.aborted) {
          settle(watcher);
          await new Promise<void>((resolve) => (wake = resolve));
        }
        wake = undefined;
        changed = false;
      }
    } finally {
      settle(watcher);
      context.signal.removeEventListener('abort', onAbort);
      watchers.delete(watcher);
      if (watchers.size === 0 && this.#watchers.get(service) === watchers) this.#watchers.delete(service);
    }
  }

  /** The method handlers of grpc.health.v1.Health, by method name, for `server.addRegisteredMethodHandlers`. */
  handlers(): MethodHandlers {
    return {
      Check: methodHandler(decodeCheckRequest, encodeCheckResponse, {
        unaryUnary: (request, context) => this.check(request, context as ServicerContext),
      }),
      Watch: methodHandler(decodeCheckRequest, encodeCheckResponse, {
        unaryStream: (request, context) => this.watch(request, context as ServicerContext),
      }),
      List: methodHandler(decodeListRequest, encodeListResponse, {
        unaryUnary: (request, context) => this.list(request, context as ServicerContext),
      }),
    };
  }

  #set(service: string, status: ServingStatus): void {
    this.#statuses.set(service, status);
    const watchers = this.#watchers.get(service);
    if (watchers !== undefined) for (const watcher of watchers) watcher.notify();
  }
}

/**
 * Registers a HealthServicer (a new one unless given) on `server`, before `start()`.
 * @returns the servicer, to `set()` statuses on.
 */
export function addHealthServicer(
  server: Server,
  servicer: HealthServicer = new HealthServicer(),
): HealthServicer {
  server.addRegisteredMethodHandlers(SERVICE_NAME, servicer.handlers());
  return servicer;
}

/**
 * The graceful stop for a server with health checks, in one line: every service turns NOT_SERVING,
 * open Watch streams get that status out, then the server stops with `grace` seconds to drain
 * (Python: `await health.enter_graceful_shutdown(); await server.stop(grace)`).
 *
 * Waiting for the Watch streams counts against `grace`; with no grace (`null` or 0) the server
 * stops at once and watchers may see their stream end before the NOT_SERVING status arrives.
 * Watch streams never end by themselves, so the server cuts them off when the grace runs out.
 *
 * @example
 * process.once('SIGTERM', () => {
 *   stopGracefully(srv, health, 10).catch((error) => console.error(error));
 * });
 */
export async function stopGracefully(
  server: Server,
  servicer: HealthServicer,
  grace: number | null,
): Promise<void> {
  if (grace !== null && !(typeof grace === 'number' && grace >= 0)) {
    throw new TypeError(`grace must be a number of seconds >= 0 or null, got ${String(grace)}.`);
  }
  const started = performance.now();
  await servicer.enterGracefulShutdown();
  if (grace) {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, Math.min(grace * 1000, 2 ** 31 - 1))),
    );
    try {
      await Promise.race([servicer.watchersNotified(), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
  const left = grace === null ? null : Math.max(0, grace - (performance.now() - started) / 1000);
  await server.stop(left);
}
