// One benchmark process: a server (`worker.mjs server IMPL`) or a client (`worker.mjs client IMPL
// TARGET`), driven by run.mjs over the IPC channel.
import { Compression } from '@grpc-aio/core';
import { idle } from './idle.mjs';
import { armTelemetry } from './telemetry.mjs';
import { workloads } from './workloads.mjs';

const [role, implName, target] = process.argv.slice(2);
// Paired runs (`run.mjs --paired`): several implementations in this one process. A server hosts
// every named server (`server a,b`: one port each); a client holds one client per arm
// (`client a>b,c>d PORTS_JSON`) and runs them in turns.
const implNames =
  role === 'server' ? implName.split(',') : [...new Set(implName.split(',').map((arm) => arm.split('>')[0]))];
const impls = Object.fromEntries(
  await Promise.all(
    // `aiob`: grpc-aio from the builds given to run.mjs --ab-channel/--ab-server; `aio+gzip`
    // (servers only, the h2load workload): grpc-aio with gzip as its default response compression.
    implNames.map(async (name) => [
      name,
      await import(`./impls/${name.split('+')[0]}.mjs`.replace('aiob.mjs', 'aio.mjs?variant=b')),
    ]),
  ),
);
// `aio+noop`/`aio+metrics`/`aio+otel`: grpc-aio with the OpenTelemetry plugin (telemetry.mjs), on both sides.
const serverOptions = async (name) => {
  if (name.endsWith('+gzip')) return { compression: Compression.Gzip };
  const telemetry = await armTelemetry(name);
  return telemetry === undefined ? undefined : { telemetry };
};
// `aio+icpt`: grpc-aio's client through two pass-through interceptors (the interceptor chain's cost).
const clientOptions = async (name) => {
  if (name.endsWith('+icpt')) return { interceptors: 2 };
  const telemetry = await armTelemetry(name);
  return telemetry === undefined ? undefined : { telemetry };
};
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
  const servers = {};
  for (const name of implNames) servers[name] = await impls[name].startServer(await serverOptions(name));
  process.on('message', async (message) => {
    if (message.type === 'snapshot') {
      try {
        if (message.idle !== undefined) await waitIdle(message.idle);
        process.send({ type: 'snapshot', id: message.id, ...(await snapshot(message.gc)) });
      } catch (error) {
        process.send({ type: 'snapshot', id: message.id, error: String(error?.message ?? error) });
      }
    } else if (message.type === 'stop') {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
      process.disconnect();
    }
  });
  const ports = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.port]));
  process.send({ type: 'ready', port: servers[implNames[0]].port, ports });
} else {
  // `client IMPL TARGET`, or for a paired run `client c>s,c>s '{"s": port, ...}'`.
  const paired = implName.includes('>');
  const clients = {};
  if (paired) {
    const ports = JSON.parse(target);
    for (const arm of implName.split(',')) {
      const [clientImpl, serverImpl] = arm.split('>');
      clients[arm] = impls[clientImpl].createClient(
        `127.0.0.1:${ports[serverImpl]}`,
        await clientOptions(clientImpl),
      );
    }
  }
  const client = paired ? undefined : impls[implName].createClient(target, await clientOptions(implName));
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
    } else if (message.type === 'run-paired') {
      // One batch of `workload` per arm, in the given order; each batch as in a normal run.
      try {
        const results = {};
        for (const arm of message.order) {
          results[arm] = await workloads[message.workload](clients[arm], message.config, mark);
        }
        process.send({ type: 'result', result: results });
      } catch (error) {
        process.send({ type: 'error', message: String(error?.stack ?? error) });
      }
    } else if (message.type === 'stop') {
      if (client) await client.close();
      for (const each of Object.values(clients)) await each.close();
      process.disconnect();
    }
  });
  process.send({ type: 'ready' });
}
