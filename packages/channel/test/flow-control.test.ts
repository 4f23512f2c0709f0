// Flow control on reads: the client takes responses from the transport as the application reads
// them (READ_AHEAD ahead), so a slow reader slows a fast server down through HTTP/2 flow control.
import type { ServerHttp2Stream } from 'node:http2';
import { StatusCode } from '@grpc-aio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientChannel, insecureChannel } from '../src/index.js';
import { READ_AHEAD } from '../src/internal.js';
import { grpcFrame, type Hostile, hostileServer } from './hostile-peers.js';

const open: { peer?: Hostile; channel?: ClientChannel }[] = [];
afterEach(async () => {
  for (const { peer, channel } of open.splice(0)) {
    await channel?.close();
    await peer?.close();
  }
});

const MESSAGE = Buffer.alloc(1024, 0x61);

/**
 * A server that streams up to `total` 1 KiB messages as fast as the stream takes them (honouring
 * write backpressure), counting the messages Node accepted for sending, then ends with OK.
 */
async function fastStream(total: number): Promise<{ address: string; sent: () => number }> {
  let sent = 0;
  const peer = await hostileServer((stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    const frame = grpcFrame(MESSAGE);
    const pump = (): void => {
      while (sent < total && !stream.destroyed) {
        sent++;
        if (!stream.write(frame)) {
          stream.once('drain', pump);
          return;
        }
      }
      if (!stream.destroyed) stream.end();
    };
    pump();
  });
  open.push({ peer });
  return { address: peer.address, sent: () => sent };
}

describe('A25 A27 flow control on reads', () => {
  it('a slow reader of a 200,000-message stream keeps what the server could send bounded', async () => {
    const server = await fastStream(200_000);
    const channel = insecureChannel(server.address);
    open.push({ channel });
    const call = channel.unaryStream('/flow.S/Stream')(Buffer.from('q'), { timeout: 30 });
    for (let index = 0; index < 20; index++) {
      expect((await call.read()) as Buffer).toEqual(MESSAGE);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentWhileSlow = server.sent();
    // HTTP/2 windows (64 KiB per stream by default: about 64 messages), READ_AHEAD and the
    // server's own write buffer; without flow control, hundreds of thousands.
    expect(sentWhileSlow).toBeLessThan(1_000);
    call.cancel();
  });

  it('the same on a bidi call: a slow reader keeps what the server could send bounded', async () => {
    const server = await fastStream(200_000);
    const channel = insecureChannel(server.address);
    open.push({ channel });
    const call = channel.streamStream('/flow.S/Bidi')(undefined, { timeout: 30 });
    await call.write(Buffer.from('q'));
    for (let index = 0; index < 20; index++) {
      expect((await call.read()) as Buffer).toEqual(MESSAGE);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.sent()).toBeLessThan(1_000);
    call.cancel();
  });

  it('a reader that keeps up gets every message in order, then OK', async () => {
    const server = await fastStream(5_000);
    const channel = insecureChannel(server.address);
    open.push({ channel });
    const call = channel.unaryStream('/flow.S/Stream')(Buffer.from('q'), { timeout: 30 });
    let count = 0;
    for await (const message of call) {
      expect((message as Buffer).length).toBe(1024);
      count++;
    }
    expect(count).toBe(5_000);
    expect(await call.code()).toBe(StatusCode.OK);
  });

  it('awaiting the status of a stream nobody reads takes every message (no deadlock), then reading gives them', async () => {
    const server = await fastStream(3 * READ_AHEAD);
    const channel = insecureChannel(server.address);
    open.push({ channel });
    const call = channel.unaryStream('/flow.S/Stream')(Buffer.from('q'), { timeout: 10 });
    expect(await call.code()).toBe(StatusCode.OK);
    let count = 0;
    for await (const _ of call) count++;
    expect(count).toBe(3 * READ_AHEAD);
  });
});
