// One port served by N worker processes with node:cluster:
//   tsx src/cluster.ts [--workers N] [--port PORT]     (defaults: one worker per CPU, port 50051)
//
// How it works. Run directly, this file is the cluster's primary: it forks N workers (this same
// file again, `cluster.isWorker`), each of which builds its own grpc-aio server and calls
// `addInsecurePort('127.0.0.1:PORT')` with the port the primary chose. Inside a cluster worker,
// Node does not bind that port: the primary owns the one listening socket and, with Node's default
// round-robin scheduling (every platform but Windows), hands each accepted connection to the next
// worker, which then serves every HTTP/2 stream of that connection itself.
//
// Limits.
// - Connections are spread, not calls. A connection stays with the worker that got it, and a
//   channel sends all its calls over one connection: a single busy client keeps a single worker
//   busy. The load spreads with many clients or channels (each channel its own connection), or
//   with a proxy in front that balances per call.
// - Every worker is a whole server of its own: `maximumConcurrentRpcs` (N workers admit up to N
//   times as many calls), interceptors' state, caches, health status and channelz are per worker.
// - Stopping is per worker too: the primary turns SIGINT/SIGTERM into a 'stop' message to every
//   worker (a worker that gets the signal itself, e.g. Ctrl-C to the process group, stops the same
//   way); each one runs `server.stop(grace)` and exits, and the primary exits once all have. A
//   worker that dies is not replaced here (fork a new one on its 'exit' event to do that).
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { server } from 'grpc-aio';
import { addGreeterServicerToServer } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

/** Seconds a stopping worker lets its calls in flight finish. */
const GRACE = 2;
const PORT_VARIABLE = 'GRPC_AIO_EXAMPLE_PORT';

/** The primary: forks the workers, waits for a signal, stops them all. */
async function primary(): Promise<string[]> {
  const { values } = parseArgs({
    options: { workers: { type: 'string' }, port: { type: 'string', default: '50051' } },
  });
  const count = Number(values.workers ?? availableParallelism());
  const port = Number(values.port);
  const workers: Worker[] = [];
  let stopping = false;
  for (let index = 0; index < count; index++) {
    const worker = cluster.fork({ [PORT_VARIABLE]: String(port) });
    worker.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code})\n`);
    });
    workers.push(worker);
  }
  const stop = async () => {
    stopping = true;
    await Promise.all(
      workers.map((worker) => {
        if (worker.isDead()) return undefined;
        const exited = once(worker, 'exit');
        if (worker.isConnected()) worker.send('stop');
        return exited;
      }),
    );
  };
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Ready = the worker's server started; a worker that exits first (say, the port is taken) fails all.
  const ready = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', (code) => reject(new Error(`worker ${worker.process.pid} exited (${code})`)));
    });
  try {
    await Promise.all(workers.map(ready));
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = workers.map((worker) => worker.process.pid).join(', ');
  process.stdout.write(`serving 127.0.0.1:${port} from ${count} workers (pids ${pids})\n`);
  const signal = await signalled;
  await stop();
  return [`${signal}: stopped ${count} workers`];
}

/** A worker: one grpc-aio server on the shared port, until the primary (or a signal) says stop. */
async function worker(): Promise<string[]> {
  const srv = server();
  addGreeterServicerToServer(
    { sayHello: async (request) => ({ message: `Hello, ${request.name}, from pid ${process.pid}` }) },
    srv,
  );
  await srv.addInsecurePort(`127.0.0.1:${process.env[PORT_VARIABLE]}`);
  await srv.start();
  const stopRequested = new Promise<void>((resolve) => {
    process.on('message', (message) => {
      if (message === 'stop') resolve();
    });
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.send?.('ready');
  await stopRequested;
  await srv.stop(GRACE);
  // Closes the IPC channel to the primary; with the server stopped, nothing keeps the process up.
  cluster.worker?.disconnect();
  return [];
}

export function main(): Promise<string[]> {
  return cluster.isPrimary ? primary() : worker();
}

runIfMain(import.meta.url, main);
