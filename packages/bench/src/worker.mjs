// One benchmark process: a server (`worker.mjs server IMPL`) or a client (`worker.mjs client IMPL
// TARGET`), driven by run.mjs over the IPC channel.
import { idle } from './idle.mjs';
import { workloads } from './workloads.mjs';

const [role, implName, target] = process.argv.slice(2);
const impl = await import(`./impls/${implName}.mjs`);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** CPU and memory of this process; with `gc`, after two full collections (needs --expose-gc). */
async function snapshot(gc) {
  if (gc && global.gc) {
    global.gc();
    await tick();
    global.gc();
  }
  return { cpu: process.cpuUsage(), memory: process.memoryUsage(), idle: idle.open };
}

/** Resolves once exactly `count` idle-stream handlers are open here (memory mode), or throws. */
async function waitIdle(count, timeoutMs = 60_000) {
  const give = Date.now() + timeoutMs;
  while (idle.open !== count) {
    if (Date.now() > give) throw new Error(`${idle.open} idle streams open, waited for ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

if (role === 'server') {
  const server = await impl.startServer();
  process.on('message', async (message) => {
    if (message.type === 'snapshot') {
      try {
        if (message.idle !== undefined) await waitIdle(message.idle);
        process.send({ type: 'snapshot', id: message.id, ...(await snapshot(message.gc)) });
      } catch (error) {
        process.send({ type: 'snapshot', id: message.id, error: String(error?.message ?? error) });
      }
    } else if (message.type === 'stop') {
      await server.stop();
      process.disconnect();
    }
  });
  process.send({ type: 'ready', port: server.port });
} else {
  const client = impl.createClient(target);
  let markId = 0;
  const pending = new Map();
  // Asks the orchestrator to snapshot the server (options: { gc, idle }); resolves to the snapshot.
  const mark = (options) =>
    new Promise((resolve, reject) => {
      const id = ++markId;
      pending.set(id, { resolve, reject });
      process.send({ type: 'mark', id, ...options });
    });
  process.on('message', async (message) => {
    if (message.type === 'marked') {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.snapshot?.error) waiter?.reject(new Error(`server: ${message.snapshot.error}`));
      else waiter?.resolve(message.snapshot);
    } else if (message.type === 'run') {
      try {
        const result = await workloads[message.workload](client, message.config, mark);
        process.send({ type: 'result', result });
      } catch (error) {
        process.send({ type: 'error', message: String(error?.stack ?? error) });
      }
    } else if (message.type === 'stop') {
      await client.close();
      process.disconnect();
    }
  });
  process.send({ type: 'ready' });
}
