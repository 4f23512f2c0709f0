// Timeouts longer than Node's timers hold (2^31 - 1 ms, about 24.8 days): sent as they are, timed
// without wrapping, and a channel's close grace of that length waits as long.
import { credentials as grpcJsCredentials } from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { Metadata } from '@grpc-aio/metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { insecureChannel } from '../src/index.js';
import { GrpcJsChannelTransport, type TransportStatus } from '../src/internal.js';
import { grpcFrame, type Hostile, hostileServer } from './hostile-peers.js';

const DAY = 86_400;
const peers: Hostile[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await peer.close();
});

/** A server that answers "hi" after `delayMs`, keeping the grpc-timeout each request had. */
async function slowServer(delayMs: number, timeouts: (string | undefined)[]): Promise<Hostile> {
  const peer = await hostileServer((stream, headers) => {
    timeouts.push(headers['grpc-timeout'] as string | undefined);
    setTimeout(() => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(grpcFrame('hi'));
    }, delayMs).unref();
  });
  peers.push(peer);
  return peer;
}

describe('A23 timeouts past 2^31 ms', () => {
  it('a 30-day timeout is a 30-day deadline: the call works, grpc-timeout says 30 days', async () => {
    const timeouts: (string | undefined)[] = [];
    const peer = await slowServer(200, timeouts);
    const channel = insecureChannel(peer.address);
    try {
      for (const timeout of [30 * DAY, 2 ** 31 / 1000 + 1, 1e9]) {
        const call = channel.unaryUnary('/long.S/M')(Buffer.from('q'), { timeout });
        const remaining = call.timeRemaining() as number;
        expect(remaining).toBeGreaterThan(timeout - 5);
        expect(remaining).toBeLessThanOrEqual(timeout);
        expect(String(await call)).toBe('hi');
        expect(await call.code()).toBe(StatusCode.OK);
      }
    } finally {
      await channel.close();
    }
    // C-core's grammar: at most 8 digits, in the smallest unit that fits.
    expect(timeouts).toEqual(['2592000S', '2147485S', '16666667M']);
  });

  it('close(grace) with a grace of 30 days waits for the call instead of cancelling it at once', async () => {
    const peer = await slowServer(300, []);
    const channel = insecureChannel(peer.address);
    const call = channel.unaryUnary('/long.S/M')(Buffer.from('q'), { timeout: 30 });
    await call.initialMetadata().catch(() => undefined);
    const closed = channel.close(30 * DAY);
    expect(String(await call)).toBe('hi');
    await closed;
  });

  it('a deadline grpc-js does not time is timed by the transport: DEADLINE_EXCEEDED "Deadline Exceeded"', async () => {
    const peer = await slowServer(60_000, []);
    const transport = new GrpcJsChannelTransport(
      peer.address,
      grpcJsCredentials.createInsecure(),
      false,
      {},
      undefined,
    );
    try {
      // The transport arms this itself for deadlines past 2^31 - 1 ms; armed here with 100 ms.
      const call = transport.createCall('/long.S/M', Number.POSITIVE_INFINITY, undefined) as ReturnType<
        typeof transport.createCall
      > & { timeDeadline(ms: number): void };
      const started = performance.now();
      const status = await new Promise<TransportStatus>((resolve) => {
        call.start(new Metadata(), {
          onTransportMetadata: () => {},
          onTransportMessage: () => {},
          onTransportStatus: resolve,
        });
        call.timeDeadline(100);
        call.sendMessage(Buffer.from('q'), () => {});
        call.halfClose();
        call.startRead();
      });
      expect([status.code, status.details]).toEqual([StatusCode.DEADLINE_EXCEEDED, 'Deadline Exceeded']);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    } finally {
      transport.close();
    }
  });
});
