import { type ChannelArguments, type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import type { GenericRpcHandler, Server } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { type AioServerOptions, server } from '@grpc-aio/server';
import type { ServicerMap } from './servicer-harness-types.js';

/**
 * Options of {@link startLoopback} and {@link withServer}. Any other key is a TypeError naming it;
 * `server` and `channel` go to `server()` and `insecureChannel()`, which refuse keys they do not
 * take in the same way.
 */
export interface LoopbackOptions {
  /** Server interceptors. */
  interceptors?: readonly ServerInterceptor[] | undefined;
  /** Other options of the server (`options`, `maximumConcurrentRpcs`, `compression`, `grpcWeb`). */
  server?: Omit<AioServerOptions, 'handlers' | 'interceptors'> | undefined;
  /** Options of the channel (`options`, `compression`). */
  channel?: ChannelArguments | undefined;
}

/** The keys of {@link LoopbackOptions}: anything else is refused. */
const LOOPBACK_OPTIONS = new Set(['interceptors', 'server', 'channel']);
const SERVER_KEYS = new Set(['maximumConcurrentRpcs', 'grpcWeb']);
const SHARED_KEYS = new Set(['options', 'compression']);

function loopbackOptionHint(key: string): string | undefined {
  if (SERVER_KEYS.has(key)) return `a server option goes in server: { ${key} }`;
  if (SHARED_KEYS.has(key))
    return `for the server give server: { ${key} }, for the channel channel: { ${key} }`;
  if (key === 'handlers') return 'handlers are the first argument';
  return undefined;
}

function checkLoopbackOptions(what: string, options: unknown): LoopbackOptions {
  if (options == null) return {};
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, LOOPBACK_OPTIONS, loopbackOptionHint);
  const nested = (options as LoopbackOptions).server as Record<string, unknown> | undefined;
  // These two are the loopback's own: a copy under server would be overridden without a word.
  if (nested?.handlers !== undefined)
    throw new TypeError(`${what} takes handlers as its first argument, not in server: { handlers }.`);
  if (nested?.interceptors !== undefined)
    throw new TypeError(
      `${what} takes interceptors at the top level: { interceptors }, not in server: { interceptors }.`,
    );
  return options as LoopbackOptions;
}

/** A real server on `127.0.0.1` and a channel connected to it. `await using` closes both. */
export interface Loopback extends AsyncDisposable {
  readonly server: Server;
  readonly channel: ClientChannel;
  /** The port the server bound. */
  readonly port: number;
  /** `'127.0.0.1:<port>'`. */
  readonly target: string;
  /** Closes the channel, then stops the server without grace. Idempotent. */
  close(): Promise<void>;
}

function isGenericRpcHandler(value: unknown): value is GenericRpcHandler {
  return (
    typeof value === 'object' && value !== null && typeof (value as GenericRpcHandler).service === 'function'
  );
}

/**
 * Starts a real `@grpc-aio/server` on `127.0.0.1:0` serving `handlers` (GenericRpcHandlers, or
 * `{ 'pkg.Service': { Method: handler } }`) and opens an insecure channel to it, for integration
 * tests: `await using loopback = await startLoopback(handlers)`.
 * @throws TypeError for an option it does not take (a server or channel option at the top level is
 *   named with where it goes).
 */
export function startLoopback(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  options?: LoopbackOptions,
): Promise<Loopback> {
  return start('startLoopback()', handlers, options);
}

async function start(
  what: string,
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  given: LoopbackOptions | undefined,
): Promise<Loopback> {
  const options = checkLoopbackOptions(what, given);
  const generic = isGenericRpcHandler(handlers) ? [handlers] : Array.isArray(handlers) ? handlers : [];
  const srv = server({ ...options.server, handlers: generic, interceptors: options.interceptors ?? [] });
  if (!isGenericRpcHandler(handlers) && !Array.isArray(handlers)) {
    for (const [service, methods] of Object.entries(handlers as ServicerMap)) {
      srv.addRegisteredMethodHandlers(service, methods);
    }
  }
  let port: number;
  try {
    port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
  } catch (error) {
    await srv.stop(null);
    throw error;
  }
  const target = `127.0.0.1:${port}`;
  const channel = insecureChannel(target, options.channel);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await channel.close();
      await srv.stop(null);
    })();
    return closing;
  };
  return { server: srv, channel, port, target, close, [Symbol.asyncDispose]: close };
}

/**
 * Runs `fn` with a channel to a real server serving `handlers` on `127.0.0.1:0`, then closes both
 * (also when `fn` throws). Options as {@link startLoopback}'s. @returns what `fn` returns.
 */
export async function withServer<T>(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  fn: (channel: ClientChannel, loopback: Loopback) => T | Promise<T>,
  options?: LoopbackOptions,
): Promise<T> {
  const loopback = await start('withServer()', handlers, options);
  try {
    return await fn(loopback.channel, loopback);
  } finally {
    await loopback.close();
  }
}
