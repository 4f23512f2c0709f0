// Interop with grpc-node's own health package (grpc-health-check): its service definition drives a
// raw grpc-js client against our HealthServicer, and its HealthImplementation, served by a raw
// grpc-js server, answers our client helpers.

import * as grpc from '@grpc/grpc-js';
import { insecureChannel } from '@grpc-aio/channel';
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { addHealthServicer, checkHealth, listHealth, ServingStatus, watchHealth } from '@grpc-aio/health';
import { server } from '@grpc-aio/server';
import { HealthImplementation, service as healthServiceDefinition } from 'grpc-health-check';
import { afterEach, describe, expect, it, vi } from 'vitest';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Response {
  status: string;
}
interface HealthClient extends grpc.Client {
  check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, response?: Response) => void,
  ): void;
  list(
    request: object,
    callback: (error: grpc.ServiceError | null, response?: { statuses: Record<string, Response> }) => void,
  ): void;
  watch(request: { service: string }): grpc.ClientReadableStream<Response>;
}
const HealthClientConstructor = grpc.makeClientConstructor(
  healthServiceDefinition,
  'Health',
) as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => HealthClient;

function unary<T>(
  start: (callback: (error: grpc.ServiceError | null, response?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, response) => (error ? reject(error) : resolve(response as T))),
  );
}

describe('grpc-health-check client -> our HealthServicer', () => {
  async function setup() {
    const srv = server();
    cleanups.push(() => srv.stop(null));
    const servicer = addHealthServicer(srv);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const client = new HealthClientConstructor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    return { servicer, client };
  }

  it('A75 Check and List', async () => {
    const { servicer, client } = await setup();
    await servicer.set('pkg.Svc', ServingStatus.NOT_SERVING);
    expect(await unary<Response>((done) => client.check({ service: '' }, done))).toEqual({
      status: 'SERVING',
    });
    expect(await unary<Response>((done) => client.check({ service: 'pkg.Svc' }, done))).toEqual({
      status: 'NOT_SERVING',
    });
    const error = (await unary((done) => client.check({ service: 'nope' }, done)).catch(
      (caught: unknown) => caught,
    )) as grpc.ServiceError;
    expect([error.code, error.details]).toEqual([grpc.status.NOT_FOUND, 'Unknown service: "nope"']);
    expect(await unary((done) => client.list({}, done))).toEqual({
      statuses: { '': { status: 'SERVING' }, 'pkg.Svc': { status: 'NOT_SERVING' } },
    });
  });

  it('A75 Watch: current status, then changes; cancelling ends the server side', async () => {
    const { servicer, client } = await setup();
    const call = client.watch({ service: 'late' });
    const statuses: string[] = [];
    const received = (count: number) =>
      new Promise<void>((resolve) => {
        const onData = (response: Response) => {
          statuses.push(response.status);
          if (statuses.length >= count) {
            call.off('data', onData);
            resolve();
          }
        };
        call.on('data', onData);
      });
    const ended = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    await received(1);
    await servicer.set('late', ServingStatus.SERVING);
    await servicer.set('late', ServingStatus.SERVING);
    await servicer.set('late', ServingStatus.NOT_SERVING);
    await received(3);
    expect(statuses).toEqual(['SERVICE_UNKNOWN', 'SERVING', 'NOT_SERVING']);
    expect(servicer.activeWatchers).toBe(1);
    call.cancel();
    expect((await ended).code).toBe(grpc.status.CANCELLED);
    await vi.waitFor(() => expect(servicer.activeWatchers).toBe(0), { timeout: 5000 });
  });
});

describe('our client -> grpc-health-check HealthImplementation on a grpc-js server', () => {
  async function setup() {
    const implementation = new HealthImplementation({ '': 'SERVING', 'pkg.Down': 'NOT_SERVING' });
    const raw = new grpc.Server();
    implementation.addToServer(raw);
    const port = await new Promise<number>((resolve, reject) =>
      raw.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    cleanups.push(() => raw.forceShutdown());
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    return { implementation, channel };
  }

  it('A75 checkHealth and listHealth', async () => {
    const { channel } = await setup();
    expect(await checkHealth(channel, '', { timeout: 5 })).toBe(ServingStatus.SERVING);
    expect(await checkHealth(channel, 'pkg.Down')).toBe(ServingStatus.NOT_SERVING);
    const error = (await checkHealth(channel, 'nope').catch((caught: unknown) => caught)) as AioRpcError;
    expect(error).toBeInstanceOf(AioRpcError);
    expect([error.code(), error.details()]).toEqual([
      StatusCode.NOT_FOUND,
      'Health status unknown for service nope',
    ]);
    expect(await listHealth(channel)).toEqual({
      '': ServingStatus.SERVING,
      'pkg.Down': ServingStatus.NOT_SERVING,
    });
  });

  it('A75 watchHealth follows setStatus and stops on break', async () => {
    const { implementation, channel } = await setup();
    const seen: ServingStatus[] = [];
    for await (const status of watchHealth(channel, 'pkg.New')) {
      seen.push(status);
      if (seen.length === 1) implementation.setStatus('pkg.New', 'SERVING');
      else if (seen.length === 2) implementation.setStatus('pkg.New', 'NOT_SERVING');
      else break;
    }
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });
});
