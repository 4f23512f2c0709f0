// `cluster-server.mjs N`: the h2load workload's multi-process rows. The primary picks a free
// loopback port and forks N node:cluster workers that each start the bench's grpc-aio server on
// 127.0.0.1:PORT. Node's default scheduling on Linux is round-robin: the primary owns the
// listening socket and hands each accepted connection to the next worker. Towards run.mjs it
// behaves like `worker.mjs server`: 'ready' with the port, 'snapshot' (the workers' CPU, summed),
// 'stop' (every worker stops its server and exits). Workers exit by themselves if the primary dies
// (node:cluster exits a worker whose IPC channel closes).
import cluster from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:net';

if (cluster.isPrimary) {
  const count = Number(process.argv[2] ?? 1);
  const port = await freePort();
  const workers = [];
  let stopping = false;
  for (let index = 0; index < count; index++) {
    const worker = cluster.fork({ BENCH_CLUSTER_PORT: String(port) });
    worker.on('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`cluster worker ${worker.process.pid} exited (${code}) while serving\n`);
      process.exit(1);
    });
    workers.push(worker);
  }
  await Promise.all(workers.map((worker) => once(worker, 'message'))); // each worker's 'ready'
  let cpuId = 0;
  const cpuOf = (worker) => {
    const id = ++cpuId;
    return new Promise((resolve) => {
      const onMessage = (message) => {
        if (message.type !== 'cpu' || message.id !== id) return;
        worker.off('message', onMessage);
        resolve(message.cpu);
      };
      worker.on('message', onMessage);
      worker.send({ type: 'cpu', id });
    });
  };
  process.on('message', async (message) => {
    if (message.type === 'snapshot') {
      const usages = await Promise.all(workers.map(cpuOf));
      const cpu = usages.reduce((sum, usage) => ({
        user: sum.user + usage.user,
        system: sum.system + usage.system,
      }));
      const perWorker = usages.map((usage) => usage.user + usage.system);
      process.send({ type: 'snapshot', id: message.id, cpu, perWorker });
    } else if (message.type === 'stop') {
      stopping = true;
      await Promise.all(
        workers.map((worker) => {
          const exited = once(worker, 'exit');
          worker.send({ type: 'stop' });
          return exited;
        }),
      );
      process.disconnect();
    }
  });
  process.send({ type: 'ready', port, ports: { cluster: port } });
} else {
  const { startServer } = await import('./impls/aio.mjs');
  const server = await startServer({ address: `127.0.0.1:${process.env.BENCH_CLUSTER_PORT}` });
  process.on('message', async (message) => {
    if (message.type === 'cpu') process.send({ type: 'cpu', id: message.id, cpu: process.cpuUsage() });
    else if (message.type === 'stop') {
      await server.stop();
      process.exit(0);
    }
  });
  process.send({ type: 'ready' });
}

/** A port that was free on 127.0.0.1 a moment ago (the workers bind it right after). */
async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}
