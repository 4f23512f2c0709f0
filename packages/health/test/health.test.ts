// grpc.health.v1 end to end: a grpc-aio server with the HealthServicer, and the client helpers over
// a real loopback channel.
import { type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import { type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import {
  addHealthServicer,
  checkHealth,
  HealthServicer,
  listHealth,
  ServingStatus,
  stopGracefully,
  watchHealth,
} from '@grpc-aio/health';
import { server } from '@grpc-aio/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHealthServer(servicer = new HealthServicer()) {
  const srv = server();
  cleanups.push(() => srv.stop(null));
  addHealthServicer(srv, servicer);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  const channel = insecureChannel(`127.0.0.1:${port}`);
  cleanups.push(() => channel.close());
  return { srv, servicer, channel, port };
}

/** Reads a watch stream in the background; `next()` resolves with the next status (or the end). */
function reader(channel: ClientChannel, service: string, signal?: AbortSignal) {
  const iterator = watchHealth(channel, service, { signal });
  return {
    next: async () => {
      const result = await iterator.next();
      return result.done ? 'end' : result.value;
    },
    close: () => iterator.return(),
  };
}

/** Reads the stream to its end; resolves with 'end' or the error that ended it. */
async function drain(watch: ReturnType<typeof reader>): Promise<unknown> {
  try {
    for (;;) {
      const next = await watch.next();
      if (next === 'end') return 'end';
    }
  } catch (error) {
    return error;
  }
}

describe('Check', () => {
  it('A75 "" is SERVING from the start; set() changes what check reports', async () => {
    const { servicer, channel } = await startHealthServer();
    expect(await checkHealth(channel)).toBe(ServingStatus.SERVING);
    await servicer.set('pkg.Svc', ServingStatus.NOT_SERVING);
    expect(await checkHealth(channel, 'pkg.Svc', { timeout: 5 })).toBe(ServingStatus.NOT_SERVING);
    await servicer.set('pkg.Svc', ServingStatus.SERVING);
    expect(await checkHealth(channel, 'pkg.Svc')).toBe(ServingStatus.SERVING);
  });

  it('A75 an unknown service fails with NOT_FOUND', async () => {
    const { channel } = await startHealthServer();
    const error = await checkHealth(channel, 'no.Such').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AioRpcError);
    expect([(error as AioRpcError).code(), (error as AioRpcError).details()]).toEqual([
      StatusCode.NOT_FOUND,
      'Unknown service: "no.Such"',
    ]);
  });

  it('a server without the health service answers UNIMPLEMENTED', async () => {
    const srv = server();
    cleanups.push(() => srv.stop(null));
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    const error = (await checkHealth(channel).catch((caught: unknown) => caught)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.UNIMPLEMENTED);
  });
});

describe('client options', () => {
  it('a service that is not a string is a TypeError (call options are the third argument), as is an unknown option', async () => {
    const { channel } = await startHealthServer();
    await expect(checkHealth(channel, { timeout: 1 } as never)).rejects.toThrow(
      new TypeError(
        "checkHealth() service must be a string (the service name, '' for the whole server), got object; call options are the third argument: checkHealth(channel, '', options).",
      ),
    );
    await expect(watchHealth(channel, 42 as never).next()).rejects.toThrow(
      new TypeError(
        "watchHealth() service must be a string (the service name, '' for the whole server), got number.",
      ),
    );
    await expect(listHealth(channel, { deadline: 1 } as never)).rejects.toThrow(
      "A call does not take the option 'deadline' (give timeout, in seconds)",
    );
  });
});

describe('List', () => {
  it('lists every known status', async () => {
    const { servicer, channel } = await startHealthServer();
    await servicer.set('a', ServingStatus.NOT_SERVING);
    await servicer.set('b', ServingStatus.UNKNOWN);
    expect(await listHealth(channel, { timeout: 5 })).toEqual({
      '': ServingStatus.SERVING,
      a: ServingStatus.NOT_SERVING,
      b: ServingStatus.UNKNOWN,
    });
  });
});

describe('Watch', () => {
  it('A75 sends the current status at once, then only changes (no repeats)', async () => {
    const { servicer, channel } = await startHealthServer();
    await servicer.set('svc', ServingStatus.SERVING);
    const watch = reader(channel, 'svc');
    expect(await watch.next()).toBe(ServingStatus.SERVING);
    await servicer.set('svc', ServingStatus.SERVING);
    await servicer.set('svc', ServingStatus.SERVING);
    await servicer.set('svc', ServingStatus.NOT_SERVING);
    expect(await watch.next()).toBe(ServingStatus.NOT_SERVING);
    await servicer.set('svc', ServingStatus.NOT_SERVING);
    await servicer.set('svc', ServingStatus.SERVING);
    expect(await watch.next()).toBe(ServingStatus.SERVING);
    await watch.close();
  });

  it('A75 an unknown service is SERVICE_UNKNOWN, and the stream stays open until it is set', async () => {
    const { servicer, channel } = await startHealthServer();
    const watch = reader(channel, 'later');
    expect(await watch.next()).toBe(ServingStatus.SERVICE_UNKNOWN);
    await servicer.set('later', ServingStatus.SERVING);
    expect(await watch.next()).toBe(ServingStatus.SERVING);
    await watch.close();
  });

  it('A75 leaving the loop cancels the RPC and the server-side watch ends', async () => {
    const { servicer, channel } = await startHealthServer();
    const seen: ServingStatus[] = [];
    for await (const status of watchHealth(channel, '')) {
      seen.push(status);
      expect(servicer.activeWatchers).toBe(1);
      break;
    }
    expect(seen).toEqual([ServingStatus.SERVING]);
    await vi.waitFor(() => expect(servicer.activeWatchers).toBe(0), { timeout: 5000 });
  });

  it('A75 an AbortSignal cancels the watch on both sides', async () => {
    const { servicer, channel } = await startHealthServer();
    const controller = new AbortController();
    const watch = reader(channel, '', controller.signal);
    expect(await watch.next()).toBe(ServingStatus.SERVING);
    controller.abort();
    const ended = await drain(watch);
    expect(ended).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(servicer.activeWatchers).toBe(0), { timeout: 5000 });
  });

  it('A75 many watchers across services are counted and released', async () => {
    const { servicer, channel } = await startHealthServer();
    const watches = Array.from({ length: 60 }, (_, index) => reader(channel, `s${index % 4}`));
    for (const watch of watches) expect(await watch.next()).toBe(ServingStatus.SERVICE_UNKNOWN);
    expect(servicer.activeWatchers).toBe(60);
    await servicer.set('s1', ServingStatus.SERVING);
    for (const [index, watch] of watches.entries()) {
      if (index % 4 === 1) expect(await watch.next()).toBe(ServingStatus.SERVING);
    }
    await Promise.all(watches.map((watch) => watch.close()));
    await vi.waitFor(() => expect(servicer.activeWatchers).toBe(0), { timeout: 5000 });
  });
});

describe('graceful shutdown', () => {
  async function watchersSeeNotServing(stop: (srv: Server, servicer: HealthServicer) => Promise<void>) {
    const { srv, servicer, channel } = await startHealthServer();
    await servicer.set('a', ServingStatus.SERVING);
    const watches = Array.from({ length: 40 }, (_, index) => reader(channel, index % 2 ? 'a' : ''));
    for (const watch of watches) expect(await watch.next()).toBe(ServingStatus.SERVING);
    expect(servicer.activeWatchers).toBe(40);

    const stopped = stop(srv, servicer);
    for (const watch of watches) expect(await watch.next()).toBe(ServingStatus.NOT_SERVING);
    const ends = await Promise.all(watches.map(drain));
    await stopped;
    for (const end of ends) {
      expect(end).toBeInstanceOf(AioRpcError);
      expect([StatusCode.UNAVAILABLE, StatusCode.CANCELLED]).toContain((end as AioRpcError).code());
    }
    expect(servicer.activeWatchers).toBe(0);
    expect(servicer.shuttingDown).toBe(true);
    await servicer.set('a', ServingStatus.SERVING);
    expect(servicer.status('a')).toBe(ServingStatus.NOT_SERVING);
  }

  it('A75 stopGracefully: 40 watchers see NOT_SERVING, then the server stops and every stream ends', async () => {
    await watchersSeeNotServing((srv, servicer) => stopGracefully(srv, servicer, 0.2));
  });

  it('A75 the same by hand (enterGracefulShutdown, then stop)', async () => {
    await watchersSeeNotServing(async (srv, servicer) => {
      await servicer.enterGracefulShutdown();
      await srv.stop(0.2);
    });
  });

  it('A75 stopGracefully ends early when watchers hang up after NOT_SERVING', async () => {
    const { srv, servicer, channel } = await startHealthServer();
    const watches = Array.from({ length: 20 }, () => reader(channel, ''));
    for (const watch of watches) expect(await watch.next()).toBe(ServingStatus.SERVING);
    const started = performance.now();
    const stopped = stopGracefully(srv, servicer, 15);
    for (const watch of watches) {
      expect(await watch.next()).toBe(ServingStatus.NOT_SERVING);
      await watch.close();
    }
    await stopped;
    expect(performance.now() - started).toBeLessThan(5000); // far below the 15 s grace
    expect(servicer.activeWatchers).toBe(0);
  });

  it('stopGracefully rejects a bad grace before touching anything', async () => {
    const { srv, servicer } = await startHealthServer();
    await expect(stopGracefully(srv, servicer, -1)).rejects.toThrow(
      new TypeError('grace must be a number of seconds >= 0 or null, got -1.'),
    );
    expect(servicer.shuttingDown).toBe(false);
  });

  it('A75 Check during the grace period reports NOT_SERVING', async () => {
    const { srv, servicer, channel } = await startHealthServer();
    await servicer.enterGracefulShutdown();
    expect(await checkHealth(channel)).toBe(ServingStatus.NOT_SERVING);
    await srv.stop(null);
  });
});
