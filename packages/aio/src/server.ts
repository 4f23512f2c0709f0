import type { Server } from '@grpc-aio/core';
import { type AioServerOptions, server as serverBase } from '@grpc-aio/server';
import { track } from './runtime.js';

/**
 * Creates a server (Python's `aio.server(migration_thread_pool, handlers, interceptors, options,
 * maximum_concurrent_rpcs, compression)`; there is no thread pool in Node).
 * @throws TypeError for an interceptor that is not a ServerInterceptor; RangeError for
 * `maximumConcurrentRpcs <= 0`.
 */
export function server(options?: AioServerOptions): Server {
  return track(serverBase(options));
}
