// The ONE place where @grpc-aio/server relies on a private detail of @grpc/grpc-js.
//
// grpc-js looks an RPC's handler up by path (`Server.handlers`, a private Map read by the private
// `_retrieveHandler`) before the request metadata is available, and needs the handler's call kind
// up front. grpc.aio runs server interceptors and generic handlers (whose `service(details)` may
// serve any path) with the metadata in hand, so every path is routed to one raw-bytes 'bidi' entry
// here, and the server does the lookup itself. test/grpc-js-internals.test.ts fails loudly when a
// grpc-js release changes this.
import type * as grpc from '@grpc/grpc-js';

/** The message of the error thrown when the grpc-js internals this package needs are gone. */
export const GRPC_JS_INTERNALS_CHANGED =
  '@grpc-aio/server cannot route RPCs on this version of @grpc/grpc-js: its private Server.handlers ' +
  'map (read by Server._retrieveHandler) is missing or changed. Please report this with your grpc-js version.';

/** The shape of grpc-js's private handler entries (server-call.ts `Handler`). */
export interface GrpcJsHandlerEntry {
  func: (...args: never[]) => void;
  serialize: (value: Buffer) => Buffer;
  deserialize: (bytes: Buffer) => Buffer;
  type: 'bidi';
  path: string;
}

const identity = (value: Buffer): Buffer => value;
// grpc-js never calls func for us: the grpc-js server interceptor the server installs takes the call
// over before grpc-js's own bidi plumbing would.
const unusedFunc = (): void => {};

/** A Map that answers every path with a raw-bytes 'bidi' entry. */
class CatchAllHandlers extends Map<string, GrpcJsHandlerEntry> {
  override get(path: string): GrpcJsHandlerEntry {
    return { func: unusedFunc, serialize: identity, deserialize: identity, type: 'bidi', path };
  }
  override has(): boolean {
    return true;
  }
}

/**
 * Makes `server` hand every RPC path to its interceptors as a raw-bytes bidi call.
 * @throws Error {@link GRPC_JS_INTERNALS_CHANGED} when grpc-js no longer has the private map.
 */
export function routeAllPaths(server: grpc.Server): void {
  const internals = server as unknown as { handlers?: unknown; _retrieveHandler?: unknown };
  if (!(internals.handlers instanceof Map) || typeof internals._retrieveHandler !== 'function') {
    throw new Error(GRPC_JS_INTERNALS_CHANGED);
  }
  Object.defineProperty(server, 'handlers', {
    value: new CatchAllHandlers(),
    writable: true,
    configurable: true,
  });
}
