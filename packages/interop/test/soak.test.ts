// A bounded soak: many unary calls and streams through one channel and server; after a forced GC
// the heap is flat and no socket, server handle or timer is left behind once both are closed.
import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { insecureChannel } from '@grpc-aio/channel';
import {
  methodHandlersGenericHandler,
  server,
  streamStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { expect, it } from 'vitest';

// The suite runs a fifth of the soak to stay fast; GRPC_AIO_SOAK=full runs all of it
// (100k unary calls, 10k streams): `GRPC_AIO_SOAK=full npx vitest run --project interop test/soak.test.ts`.
const FULL = process.env.GRPC_AIO_SOAK === 'full';
const UNARY_CALLS = FULL ? 100_000 : 20_000;
const STREAMS = FULL ? 10_000 : 2_000;
const CONCURRENCY = 400;
const TIME_LIMIT_MS = FULL ? 240_000 : 45_000;

function forcedGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage().heapUsed;
}

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

async function inBatches(
  total: number,
  deadline: number,
  one: (i: number) => Promise<void>,
): Promise<number> {
  let done = 0;
  while (done < total && performance.now() < deadline) {
    const batch = Math.min(CONCURRENCY, total - done);
    await Promise.all(Array.from({ length: batch }, (_, i) => one(done + i)));
    done += batch;
  }
  return done;
}

it(
  `A24 A27 soak: ${UNARY_CALLS} unary calls and ${STREAMS} streams; flat heap after GC; no leaked sockets, servers or timers`,
  async () => {
    const gc = forcedGc();
    const before = resourceCounts();
    const srv = server();
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.S', {
        Echo: unaryUnaryRpcMethodHandler(async (req: Buffer) => req),
        Chat: streamStreamRpcMethodHandler(async function* (requests: AsyncIterable<Buffer>) {
          for await (const request of requests) yield request;
        }),
      }),
    ]);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    const echo = channel.unaryUnary('/t.S/Echo');
    const chat = channel.streamStream('/t.S/Chat');
    const payload = Buffer.alloc(64, 7);
    const unary = async () => {
      const reply = (await echo(payload, { timeout: 10 })) as Buffer;
      if (reply.length !== 64) throw new Error('bad echo');
    };
    const stream = async () => {
      let n = 0;
      for await (const _ of chat([payload, payload, payload], { timeout: 10 })) n++;
      if (n !== 3) throw new Error('bad stream');
    };
    const deadline = performance.now() + TIME_LIMIT_MS;
    try {
      // Warm up (JIT, pools, the connection), then measure.
      await inBatches(2_000, deadline, unary);
      await inBatches(200, deadline, stream);
      const heapBefore = await settledHeap(gc);
      const unaryDone = await inBatches(UNARY_CALLS, deadline, unary);
      const streamsDone = await inBatches(STREAMS, deadline, stream);
      const heapAfter = await settledHeap(gc);
      expect({ unaryDone, streamsDone }).toEqual({ unaryDone: UNARY_CALLS, streamsDone: STREAMS });
      // Flat within 8 MiB: a leak of even 400 bytes per call would show as more.
      expect(heapAfter - heapBefore).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await channel.close();
      await srv.stop(null);
    }
    // Sockets and server handles close asynchronously: give them a few turns, bounded.
    let after = resourceCounts();
    const grew = () => Object.entries(after).some(([name, count]) => count > (before[name] ?? 0));
    for (let i = 0; i < 50 && grew(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = resourceCounts();
    }
    const leaked = Object.entries(after).filter(([name, count]) => count > (before[name] ?? 0));
    expect(leaked).toEqual([]);
  },
  TIME_LIMIT_MS + 15_000,
);
