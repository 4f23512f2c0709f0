// Client-side load balancing across three local servers: one channel, the ipv4: target with
// three addresses, and the round_robin policy from a service config.
import { insecureChannel, server } from 'grpc-aio';
import { addGreeterServicerToServer, GreeterStub } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

export async function main(): Promise<string[]> {
  const servers = [server(), server(), server()];
  const ports: number[] = [];
  for (const [index, srv] of servers.entries()) {
    addGreeterServicerToServer({ sayHello: async () => ({ message: `server ${index + 1}` }) }, srv);
    ports.push(await srv.addInsecurePort('127.0.0.1:0'));
    await srv.start();
  }
  const target = `ipv4:${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
  const channel = insecureChannel(target, {
    options: [['grpc.service_config', JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] })]],
  });
  try {
    const client = GreeterStub(channel);
    await channel.channelReady();
    const counts = new Map<string, number>();
    for (let index = 0; index < 30; index++) {
      const { message = '' } = await client.sayHello({ name: 'lb' }, { timeout: 5, waitForReady: true });
      counts.set(message, (counts.get(message) ?? 0) + 1);
    }
    return [...counts.entries()].sort().map(([name, count]) => `${name}: ${count} calls`);
  } finally {
    await channel.close();
    await Promise.all(servers.map((srv) => srv.stop(null)));
  }
}

runIfMain(import.meta.url, main);
