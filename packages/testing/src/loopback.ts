import { type ChannelArguments, type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import type { GenericRpcHandler, Server } from '@grpc-aio/core';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { type AioServerOptions, server } from '@grpc-aio/server';
import type { ServicerMap } from './servicer-harness.js';

/** Options of {@link startLoopback} and {@link withServer}. */
export interface LoopbackOptions {
  /** Server interceptors. */
  interceptors?: readonly ServerInterceptor[] | undefined;
  /** Other options of the server (`options`, `maximumConcurrentRpcs`, `compression`). */
  server?: Omit<AioServerOptions, 'handlers' | 'interceptors'> | undefined;
  /** Options of the channel. */
  channel?: ChannelArguments | undefined;
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
 */
export async function startLoopback(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  options: LoopbackOptions = {},
): Promise<Loopback> {
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
 * (also when `fn` throws). @returns what `fn` returns.
 */
export async function withServer<T>(
  handlers: GenericRpcHandler | readonly GenericRpcHandler[] | ServicerMap,
  fn: (channel: ClientChannel, loopback: Loopback) => T | Promise<T>,
  options?: LoopbackOptions,
): Promise<T> {
  const loopback = await startLoopback(handlers, options);
  try {
    return await fn(loopback.channel, loopback);
  } finally {
    await loopback.close();
  }
}
