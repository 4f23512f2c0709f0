import type { Channel, Server } from '@grpc-aio/core';

// Python's init_grpc_aio()/shutdown_grpc_aio() set up and tear down the runtime's event-loop
// integration. Node needs no such set-up, so here they manage what they can honestly manage: the
// channels and servers made through this package. Weak references keep tracking from holding
// them, and the registry drops the reference of one that was collected, so an application that
// makes many channels does not grow this set.
const live = new Set<WeakRef<Channel | Server>>();
const collected = new FinalizationRegistry<WeakRef<Channel | Server>>((ref) => live.delete(ref));
let initialised = false;

/** Records a channel or server made through grpc-aio, for `shutdownGrpcAio()`. */
export function track<T extends Channel | Server>(resource: T): T {
  initialised = true;
  const ref = new WeakRef<Channel | Server>(resource);
  live.add(ref);
  collected.register(resource, ref, ref);
  return resource;
}

/** Number of tracked channels and servers (for tests). */
export function trackedCount(): number {
  return live.size;
}

/**
 * Initialises the grpc-aio runtime (Python's `init_grpc_aio()`). Idempotent. Node needs no
 * runtime set-up, so this only marks the runtime as in use; channels and servers work without it.
 */
export function initGrpcAio(): void {
  initialised = true;
}

/** True after `initGrpcAio()` or once a channel or server was made, until `shutdownGrpcAio()`. */
export function grpcAioInitialised(): boolean {
  return initialised;
}

function isServer(resource: Channel | Server): resource is Server {
  return typeof (resource as Server).waitForTermination === 'function';
}

/**
 * Tears the runtime down (Python's `shutdown_grpc_aio()`): closes every channel and stops every
 * server made through grpc-aio that is still open, without grace, and waits for them. Idempotent.
 * Useful in test teardown and before process exit.
 */
export async function shutdownGrpcAio(): Promise<void> {
  const resources = [...live].map((ref) => ref.deref()).filter((resource) => resource !== undefined);
  for (const ref of live) collected.unregister(ref);
  live.clear();
  initialised = false;
  await Promise.all(
    resources.map((resource) => (isServer(resource) ? resource.stop(null) : resource.close(null))),
  );
}
