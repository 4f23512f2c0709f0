// Servers for the tests, bound to 127.0.0.1:0, and cleanup of everything a test opened (the raw
// @grpc/grpc-js clients of @grpc-aio/test-support too).

import type * as grpc from '@grpc/grpc-js';
import type { Server } from '@grpc-aio/core';
import { closeClients, newClient } from '@grpc-aio/test-support';
import { afterEach } from 'vitest';
import { type AioServerOptions, server } from '../src/index.js';

const servers: Server[] = [];

afterEach(async () => {
  closeClients();
  await Promise.all(servers.splice(0).map((srv) => srv.stop(null)));
});

/** A server with `configure` applied, bound to 127.0.0.1:0 and started. */
export async function startServer(
  configure: (srv: Server) => void,
  options: AioServerOptions = {},
): Promise<{ srv: Server; port: number; client: grpc.Client }> {
  const srv = server(options);
  servers.push(srv);
  configure(srv);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  return { srv, port, client: newClient(port) };
}

/** Tracks a server made elsewhere so that it is stopped after the test. */
export function track(srv: Server): Server {
  servers.push(srv);
  return srv;
}
