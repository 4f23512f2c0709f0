// biome-ignore-all lint/suspicious/noExplicitAny: the CSDS client is made from a service definition at run time (untyped grpc-js client)
// CSDS (envoy.service.status.v3.ClientStatusDiscoveryService), the admin service that
// @grpc/grpc-js-xds registers with grpc-js, served by addAdminServicers() from a grpc-aio server: its
// StreamClientStatus is a bidi method, FetchClientStatus a unary one.
//
// Loading @grpc/grpc-js-xds registers nothing; its register() adds CSDS to grpc-js's admin registry
// (along with the xds: resolver and xDS load balancers), which has no way to unregister. This file
// is the only one that calls it: vitest isolates test files (each gets its own module graph), so no
// other test sees CSDS or the xDS registrations.

import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { StatusCode } from '@grpc-aio/core';
import { describe, expect, it } from 'vitest';
import { addAdminServicers } from '../src/admin.js';
import { startServer } from './helpers.js';

const CSDS = 'envoy.service.status.v3.ClientStatusDiscoveryService';

/** The admin services registered with grpc-js so far, by service name, with their definitions. */
function registeredAdminServices(): Map<string, grpc.ServiceDefinition> {
  const services = new Map<string, grpc.ServiceDefinition>();
  const collector = {
    addService(definition: grpc.ServiceDefinition) {
      const [first] = Object.values(definition);
      if (first !== undefined) services.set(first.path.split('/')[1] as string, definition);
    },
  };
  grpc.addAdminServicesToServer(collector as unknown as grpc.Server);
  return services;
}

interface ClientStatusResponse {
  config: unknown[];
}

describe('CSDS from @grpc/grpc-js-xds', () => {
  it('A79 register() adds CSDS; addAdminServicers serves it: FetchClientStatus (unary) and StreamClientStatus (bidi)', async () => {
    expect([...registeredAdminServices().keys()]).not.toContain(CSDS);
    xds.register();
    // The definition (with its protobuf serializers) that grpc-js-xds registered, for the client.
    const definition = registeredAdminServices().get(CSDS);
    expect(definition).toBeDefined();
    expect(definition?.StreamClientStatus).toMatchObject({ requestStream: true, responseStream: true });
    const Client = grpc.makeGenericClientConstructor(definition as grpc.ServiceDefinition, 'CSDS');

    const { port } = await startServer((srv) => {
      expect(() => addAdminServicers(srv)).not.toThrow();
    });
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const fetchClientStatus = (request: object) =>
        new Promise<ClientStatusResponse>((resolve, reject) =>
          (client as any).FetchClientStatus(request, (error: Error | null, response: ClientStatusResponse) =>
            error ? reject(error) : resolve(response),
          ),
        );
      // No xDS client has been created in this process: the configuration list is empty.
      expect(await fetchClientStatus({ node_matchers: [] })).toEqual({ config: [] });
      await expect(fetchClientStatus({ node_matchers: [{}] })).rejects.toMatchObject({
        code: StatusCode.INVALID_ARGUMENT,
        details: 'Node matchers not supported',
      });

      const stream = (client as any).StreamClientStatus() as grpc.ClientDuplexStream<
        object,
        ClientStatusResponse
      >;
      const responses: ClientStatusResponse[] = [];
      const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
      stream.on('error', () => {});
      const next = () => new Promise<ClientStatusResponse>((resolve) => stream.once('data', resolve));
      let response = next();
      stream.write({ node_matchers: [] });
      responses.push(await response);
      response = next();
      stream.write({ node_matchers: [] });
      responses.push(await response);
      stream.end();
      expect(responses).toEqual([{ config: [] }, { config: [] }]);
      expect((await status).code).toBe(StatusCode.OK);

      // The handler's call.emit('error', { code, details }) ends the stream with that status.
      const failing = (client as any).StreamClientStatus() as grpc.ClientDuplexStream<object, unknown>;
      failing.on('error', () => {});
      const failed = new Promise<grpc.StatusObject>((resolve) => failing.on('status', resolve));
      failing.write({ node_matchers: [{}] });
      expect(await failed).toMatchObject({
        code: StatusCode.INVALID_ARGUMENT,
        details: 'Node matchers not supported',
      });
    } finally {
      client.close();
    }
  });
});
