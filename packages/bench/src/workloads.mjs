// The five workloads (issue: W1..W5). Each warms up, calls mark() around the measured part (the
// orchestrator snapshots the server's CPU at each mark), and reports ops, rates and CPU.
import { latencySummary, median } from './stats.mjs';

const now = () => performance.now();
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** This (client) process's memory after two full collections. */
async function memoryAfterGc() {
  global.gc?.();
  await tick();
  global.gc?.();
  return process.memoryUsage();
}

/** `total` unary calls, `concurrency` at a time. */
async function unaryCalls(client, total, concurrency) {
  let left = total;
  const loop = async () => {
    while (left > 0) {
      left--;
      await client.unary();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}
const cpuMicros = (usage) => usage.user + usage.system;

async function measure(mark, body) {
  await mark();
  const cpu0 = process.cpuUsage();
  const started = now();
  const extra = await body();
  const seconds = (now() - started) / 1000;
  const clientCpuUs = cpuMicros(process.cpuUsage(cpu0));
  await mark();
  return { seconds, clientCpuUs, ...extra };
}

async function concurrentUnary(client, concurrency, durationMs, record) {
  const end = now() + durationMs;
  const loop = async () => {
    while (now() < end) {
      const started = now();
      await client.unary();
      record?.(now() - started, now());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

/** A measured section's result with one latency per operation: ops, rate, p50/p99. */
function withLatencies(result, latencies) {
  return {
    ...result,
    ops: latencies.length,
    rate: latencies.length / result.seconds,
    ...latencySummary(latencies),
  };
}

export const workloads = {
  // W1: 64 concurrent unary calls on one channel; calls/s = median of 1-s buckets.
  async w1(client, config, mark) {
    await concurrentUnary(client, 64, config.warmupMs);
    const latencies = [];
    const buckets = [];
    let bucketStart = 0;
    const result = await measure(mark, async () => {
      bucketStart = now();
      await concurrentUnary(client, 64, config.durationMs, (latency, at) => {
        latencies.push(latency);
        const bucket = Math.floor((at - bucketStart) / 1000);
        buckets[bucket] = (buckets[bucket] ?? 0) + 1;
      });
      return {};
    });
    const full = buckets
      .slice(0, Math.floor(config.durationMs / 1000))
      .filter((count) => count !== undefined);
    return {
      ...result,
      ops: latencies.length,
      rate: full.length ? median(full) : latencies.length / result.seconds,
      ...latencySummary(latencies),
    };
  },
  // W2: one server stream of N messages.
  async w2(client, config, mark) {
    await client.serverStream(config.warmupMessages, () => {});
    let received = 0;
    const result = await measure(mark, async () => {
      await client.serverStream(config.messages, () => received++);
      return {};
    });
    if (received !== config.messages)
      throw new Error(`W2 received ${received} of ${config.messages} messages`);
    return { ...result, ops: received, rate: received / result.seconds };
  },
  // W3: sequential ping-pongs on one bidi stream.
  async w3(client, config, mark) {
    await client.pingPong(config.warmupPingPongs, () => {});
    const latencies = [];
    const result = await measure(mark, async () => {
      await client.pingPong(config.pingPongs, (latency) => latencies.push(latency));
      return {};
    });
    return withLatencies(result, latencies);
  },
  // W4: one unary call at a time.
  async w4(client, config, mark) {
    for (let index = 0; index < config.warmupCalls; index++) await client.unary();
    const latencies = [];
    const result = await measure(mark, async () => {
      for (let index = 0; index < config.calls; index++) {
        const started = now();
        await client.unary();
        latencies.push(now() - started);
      }
      return {};
    });
    return withLatencies(result, latencies);
  },
  // Memory: RSS and heap of the server (and the client) per N concurrent idle server streams,
  // measured after GC once every stream has reached its server handler.
  async memIdle(client, config, mark) {
    const count = config.idleStreams;
    // Warm up: lazily created state (connections, code paths) is not counted as per-stream cost.
    await unaryCalls(client, 200, 16);
    const cancelWarmup = client.idleStreams(100);
    await mark({ idle: 100 });
    cancelWarmup();
    const serverBefore = await mark({ gc: true, idle: 0 });
    const clientBefore = await memoryAfterGc();
    const started = now();
    const cancel = client.idleStreams(count);
    const serverOpen = await mark({ gc: true, idle: count });
    const openSeconds = (now() - started) / 1000;
    const clientOpen = await memoryAfterGc();
    cancel();
    const serverAfter = await mark({ gc: true, idle: 0 });
    const clientAfter = await memoryAfterGc();
    return {
      streams: count,
      openSeconds,
      server: { before: serverBefore.memory, open: serverOpen.memory, after: serverAfter.memory },
      client: { before: clientBefore, open: clientOpen, after: clientAfter },
    };
  },
  // Memory: heap (client and server, after GC) after `first` unary calls and after `total`.
  async memUnary(client, config, mark) {
    await unaryCalls(client, 1000, 64);
    await unaryCalls(client, config.firstCalls - 1000, 64);
    const serverFirst = await mark({ gc: true });
    const clientFirst = await memoryAfterGc();
    await unaryCalls(client, config.totalCalls - config.firstCalls, 64);
    const serverTotal = await mark({ gc: true });
    const clientTotal = await memoryAfterGc();
    return {
      firstCalls: config.firstCalls,
      totalCalls: config.totalCalls,
      server: { first: serverFirst.memory, total: serverTotal.memory },
      client: { first: clientFirst, total: clientTotal },
    };
  },
  // W5: one client stream of N messages.
  async w5(client, config, mark) {
    await client.clientStream(config.warmupMessages);
    const result = await measure(mark, async () => {
      await client.clientStream(config.messages);
      return {};
    });
    return { ...result, ops: config.messages, rate: config.messages / result.seconds };
  },
};
