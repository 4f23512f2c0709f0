// Connection management under C-core's channel arguments: ping enforcement, keepalive, idleness,
// age, handshake timeout, reset bursts; and no socket left behind.
import { connect, constants } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { bytes, text, unary, until } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { channelzRegistry } from '../src/channelz.js';
import { methodHandlersGenericHandler, unaryUnaryRpcMethodHandler } from '../src/index.js';
import { TOO_MANY_PINGS } from '../src/transport/connection-keeper.js';
import { startServer } from './helpers.js';
import { frame, rawCall, rawSession, statusOf } from './raw-client.js';

async function server(options: [string, number][]) {
  return startServer(
    (s) =>
      s.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          M: unaryUnaryRpcMethodHandler((request: string) => request, text, bytes),
          Slow: unaryUnaryRpcMethodHandler(
            async (request: string, context) => {
              // Passes the RPC's signal along, so that a cancelled call ends its handler at once.
              await sleep(Number(request), undefined, { signal: context.signal });
              return 'slow';
            },
            text,
            bytes,
          ),
        }),
      ]),
    { options },
  );
}

/** The connections channelz lists for the server listening on `port`. */
function openConnections(port: number): number {
  for (const server of channelzRegistry().servers.values()) {
    for (const socket of server.listenSockets.values()) {
      if (socket.local !== undefined && 'port' in socket.local && socket.local.port === port)
        return server.sockets.size;
    }
  }
  throw new Error(`no server listens on ${port}`);
}

function goaway(session: ReturnType<typeof connect>): Promise<{ code: number; data: string }> {
  return new Promise((resolve) =>
    session.once('goaway', (code, _last, data) => resolve({ code, data: data?.toString() ?? '' })),
  );
}

describe('connections', () => {
  it('A1 ping abuse: the third ping too soon gets GOAWAY(ENHANCE_YOUR_CALM, too_many_pings) and the socket closes', async () => {
    const { port } = await server([]);
    const session = rawSession(port);
    const away = goaway(session);
    const closed = new Promise((resolve) => session.once('close', resolve));
    await new Promise((resolve) => session.once('connect', resolve));
    for (let index = 0; index < 4; index++) session.ping(() => {});
    expect(await away).toEqual({ code: constants.NGHTTP2_ENHANCE_YOUR_CALM, data: TOO_MANY_PINGS });
    await closed;
    await until(() => openConnections(port) === 0);
  });

  it('A1 grpc.http2.max_ping_strikes 0 tolerates any number of pings', async () => {
    const { port } = await server([['grpc.http2.max_ping_strikes', 0]]);
    const session = rawSession(port);
    await new Promise((resolve) => session.once('connect', resolve));
    for (let index = 0; index < 10; index++) await new Promise((resolve) => session.ping(resolve));
    const response = await rawCall(session, { body: [frame('still')] });
    expect(statusOf(response).status).toBe('0');
  });

  it('A1 grpc.keepalive_time_ms: the server pings (with keepalive_permit_without_calls, even without calls)', async () => {
    const { port } = await server([
      ['grpc.keepalive_time_ms', 50],
      ['grpc.keepalive_permit_without_calls', 1],
    ]);
    const session = rawSession(port);
    let pings = 0;
    session.on('ping', () => pings++);
    await until(() => pings >= 3);
    const idle = await server([['grpc.keepalive_time_ms', 50]]);
    const quiet = rawSession(idle.port);
    let quietPings = 0;
    quiet.on('ping', () => quietPings++);
    await sleep(300);
    expect(quietPings).toBe(0);
  });

  it('A1 grpc.max_connection_idle_ms: an idle connection gets GOAWAY(NO_ERROR) and closes', async () => {
    const { port } = await server([['grpc.max_connection_idle_ms', 100]]);
    const session = rawSession(port);
    const away = goaway(session);
    expect(statusOf(await rawCall(session, { body: [frame('x')] })).status).toBe('0');
    expect(await away).toEqual({ code: constants.NGHTTP2_NO_ERROR, data: '' });
    await until(() => openConnections(port) === 0);
  });

  it('A1 grpc.max_connection_age_ms: GOAWAY at the age, calls in flight finish within the grace, new calls reconnect', async () => {
    const { port, client } = await server([
      ['grpc.max_connection_age_ms', 200],
      ['grpc.max_connection_age_grace_ms', 2000],
    ]);
    const slow = unary(client, '/t.S/Slow', '600');
    await sleep(400);
    const during = await unary(client, '/t.S/M', 'new');
    expect(during.status.code).toBe(StatusCode.OK);
    expect((await slow).status.code).toBe(StatusCode.OK);
    const session = rawSession(port);
    const away = goaway(session);
    expect((await away).code).toBe(constants.NGHTTP2_NO_ERROR);
  });

  it('A1 grpc.max_connection_age_grace_ms: calls still running after the grace are cut off with the connection', async () => {
    const { port } = await server([
      ['grpc.max_connection_age_ms', 100],
      ['grpc.max_connection_age_grace_ms', 100],
    ]);
    const session = rawSession(port);
    const response = await rawCall(session, { path: '/t.S/Slow', body: [frame('700')] });
    expect(response.rstCode).not.toBe(constants.NGHTTP2_NO_ERROR);
    expect(statusOf(response).status).toBeUndefined();
    await until(() => openConnections(port) === 0);
  });

  it('A1 grpc.server_handshake_timeout_ms: a connection that never sends its preface is closed', async () => {
    const { port } = await server([['grpc.server_handshake_timeout_ms', 100]]);
    const socket = tcpConnect(port, '127.0.0.1');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    socket.resume();
    await closed;
    await until(() => openConnections(port) === 0);
  });

  it('A1 a burst of 1,500 client cancellations does not fail the other calls of the connection', async () => {
    const { port, client } = await server([]);
    const slow = unary(client, '/t.S/Slow', '1500');
    await sleep(50);
    const cancelled: Promise<unknown>[] = [];
    for (let batch = 0; batch < 15; batch++) {
      for (let index = 0; index < 100; index++) {
        cancelled.push(
          unary(client, '/t.S/Slow', '5000', { onCall: (call) => setImmediate(() => call.cancel()) }),
        );
      }
      await sleep(5);
    }
    const codes = new Set(
      (await Promise.all(cancelled)).map((outcome) => (outcome as { status: { code: number } }).status.code),
    );
    expect([...codes]).toEqual([StatusCode.CANCELLED]);
    expect((await slow).status).toMatchObject({ code: StatusCode.OK });
    expect((await unary(client, '/t.S/M', 'after')).status.code).toBe(StatusCode.OK);
    await until(() => openConnections(port) <= 1);
  }, 20_000);

  it('A1 a rapid-reset attacker is cut off and leaves no socket behind', async () => {
    const { port } = await server([]);
    const attackers = Array.from({ length: 3 }, () => connect(`http://127.0.0.1:${port}`));
    await Promise.all(
      attackers.map(async (session) => {
        session.on('error', () => {});
        const closed = new Promise((resolve) => session.once('close', resolve));
        await new Promise((resolve) => session.once('connect', resolve));
        try {
          for (let index = 0; index < 3000 && !session.closed && !session.destroyed; index++) {
            const stream = session.request({
              ':method': 'POST',
              ':path': '/t.S/Slow',
              'content-type': 'application/grpc',
              te: 'trailers',
            });
            stream.on('error', () => {});
            stream.close(constants.NGHTTP2_CANCEL);
            if (index % 200 === 0) await sleep(1);
          }
        } catch {
          // The session went away under the loop: that is the point.
        }
        await closed;
      }),
    );
    await until(() => openConnections(port) === 0);
  }, 20_000);
});

describe('connections: limits a client meets', () => {
  it('A1 grpc.keepalive_timeout_ms: a client that never answers the server ping is disconnected', async () => {
    const { port } = await server([
      ['grpc.keepalive_time_ms', 50],
      ['grpc.keepalive_timeout_ms', 100],
      ['grpc.keepalive_permit_without_calls', 1],
    ]);
    // A hand-made HTTP/2 client: the preface and an empty SETTINGS frame, then silence (no PING ack).
    const socket = tcpConnect(port, '127.0.0.1');
    socket.on('error', () => {});
    const frames: number[] = [];
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        frames.push(buffered[3] as number);
        buffered = buffered.subarray(9 + length);
      }
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
      ]),
    );
    await closed;
    const PING = 6;
    expect(frames).toContain(PING);
    await until(() => openConnections(port) === 0);
  });

  it('A1 grpc.max_metadata_size: a larger header list is refused (RESOURCE_EXHAUSTED at a grpc-js client), the connection serves on', async () => {
    const { client } = await server([['grpc.max_metadata_size', 1024]]);
    const big = new grpc.Metadata();
    big.set('x-big', 'a'.repeat(2000));
    expect((await unary(client, '/t.S/M', 'x', { metadata: big, timeout: 5 })).status.code).toBe(
      StatusCode.RESOURCE_EXHAUSTED,
    );
    expect((await unary(client, '/t.S/M', 'x')).status.code).toBe(StatusCode.OK);
  });
});
