// A fake of core's Server contract for code that only registers handlers (stubs and servicers).
import type { MethodHandlers, Server } from '@grpc-aio/core';

/** A Server that records the registered method handlers by service name; its other methods throw. */
export function fakeServer(): { server: Server; registered: Map<string, MethodHandlers> } {
  const registered = new Map<string, MethodHandlers>();
  const notImplemented = (): never => {
    throw new Error('not implemented by the fake server');
  };
  const server: Server = {
    addRegisteredMethodHandlers(serviceName, methodHandlers) {
      registered.set(serviceName, methodHandlers);
    },
    addGenericRpcHandlers: notImplemented,
    addInsecurePort: notImplemented,
    addSecurePort: notImplemented,
    start: notImplemented,
    stop: notImplemented,
    waitForTermination: notImplemented,
    [Symbol.asyncDispose]: notImplemented,
  };
  return { server, registered };
}
