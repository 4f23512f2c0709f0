// Fails loudly when a grpc-js release changes the private detail @grpc-aio/server relies on.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { GRPC_JS_INTERNALS_CHANGED, routeAllPaths } from '../src/grpc-js-internals.js';

describe('grpc-js internals used by @grpc-aio/server', () => {
  it('grpc-js Server still has the private handlers Map read by _retrieveHandler', () => {
    const srv = new grpc.Server();
    const internals = srv as unknown as { handlers: unknown; _retrieveHandler: (path: string) => unknown };
    expect(internals.handlers, GRPC_JS_INTERNALS_CHANGED).toBeInstanceOf(Map);
    expect(typeof internals._retrieveHandler, GRPC_JS_INTERNALS_CHANGED).toBe('function');
    routeAllPaths(srv);
    expect(internals._retrieveHandler('/any.Service/Any'), GRPC_JS_INTERNALS_CHANGED).toMatchObject({
      type: 'bidi',
      path: '/any.Service/Any',
    });
    srv.forceShutdown();
  });

  it('refuses a grpc-js Server without the map, with a clear message', () => {
    const fake = { handlers: undefined, _retrieveHandler: () => null } as unknown as grpc.Server;
    expect(() => routeAllPaths(fake)).toThrow(GRPC_JS_INTERNALS_CHANGED);
  });
});
