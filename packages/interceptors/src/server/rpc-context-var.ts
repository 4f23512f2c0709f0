import { AsyncLocalStorage } from 'node:async_hooks';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';

// One store per RPC. The server runs the interceptor chain and the handler inside the same scope,
// so a value an interceptor sets is what the handler reads (Python's contextvars do this for
// grpc.aio because both run in one task; Node needs the scope to be explicit).
const storage = new AsyncLocalStorage<Map<RpcContextVar<unknown>, unknown>>();

/**
 * Runs `fn` in a fresh per-RPC scope. The server calls this once per RPC around the interceptor
 * chain and the handler; other code rarely needs it (the servicer harness of @grpc-aio/testing
 * does).
 */
export function runInRpcScope<T>(fn: () => T): T {
  return storage.run(new Map(), fn);
}

const OPTIONS = new Set(['defaultValue']);

function defaultHint(key: string): string | undefined {
  return key === 'default' ? "Python's default= is defaultValue" : undefined;
}

/** True when called inside an RPC's scope. */
export function inRpcScope(): boolean {
  return storage.getStore() !== undefined;
}

/**
 * A per-RPC variable (Python's `contextvars.ContextVar`, scoped to one RPC): a server interceptor
 * sets it, the handler and anything it calls read it.
 *
 * @example
 * const currentUser = new RpcContextVar<string>('currentUser');
 * const auth: ServerInterceptor = {
 *   async interceptService(continuation, details) {
 *     currentUser.set(userFromToken(details.invocationMetadata.get('authorization')));
 *     return continuation(details);
 *   },
 * };
 * // in a handler: currentUser.get() -> the user of this RPC
 */
export class RpcContextVar<T> {
  readonly name: string;
  readonly #defaultValue: T | undefined;

  /**
   * @param name the variable's name, for debugging (Python's `ContextVar(name)`).
   * @param options `defaultValue`: what `get()` gives where no value is set (Python's `default=`).
   * @throws TypeError for an option it does not take.
   */
  constructor(name: string, options?: { defaultValue?: T }) {
    if (options != null) rejectUnknownOptions('new RpcContextVar()', options, OPTIONS, defaultHint);
    this.name = name;
    this.#defaultValue = options?.defaultValue;
  }

  /** The value set in this RPC, else the default (undefined without one). */
  get(): T | undefined {
    const store = storage.getStore();
    return store?.has(this) ? (store.get(this) as T) : this.#defaultValue;
  }

  /**
   * Sets the value for the rest of this RPC.
   * @throws Error when called outside an RPC's scope (for example at module load). A grpc-aio
   * server opens a scope per RPC only when it has server interceptors (opening one costs CPU on
   * every call in Node 20), so set values from an interceptor, not from a handler of a server
   * without any.
   */
  set(value: T): void {
    const store = storage.getStore();
    if (store === undefined) {
      throw new Error(`RpcContextVar "${this.name}" can only be set while serving an RPC.`);
    }
    store.set(this, value);
  }
}
