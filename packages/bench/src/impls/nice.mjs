// nice-grpc (client and server), on the same grpc-js underneath.
import { setMaxListeners } from 'node:events';
import { createChannel, createClient as createNiceClient, createServer } from 'nice-grpc';
import { countOf, countRequest, MESSAGE } from '../codec.mjs';
import { idle } from '../idle.mjs';
import { createQueue } from '../queue.mjs';
import { definition } from './grpcjs.mjs';

export async function startServer() {
  const server = createServer();
  server.add(definition, {
    async unary() {
      return MESSAGE;
    },
    async *serverStream(request) {
      for (let left = countOf(request); left > 0; left--) yield MESSAGE;
    },
    async clientStream(requests) {
      for await (const _ of requests);
      return MESSAGE;
    },
    async *pingPong(requests) {
      for await (const message of requests) yield message;
    },
    async *idleStream(_request, context) {
      idle.open++;
      try {
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      } finally {
        idle.open--;
      }
    },
  });
  const port = await server.listen('127.0.0.1:0');
  return { port, stop: () => server.shutdown() };
}

export function createClient(target) {
  const channel = createChannel(target);
  const client = createNiceClient(definition, channel);
  return {
    unary: () => client.unary(MESSAGE),
    serverStream: async (count, onMessage) => {
      for await (const message of client.serverStream(countRequest(count))) onMessage(message);
    },
    clientStream: (count) =>
      client.clientStream(
        (async function* () {
          for (let index = 0; index < count; index++) yield MESSAGE;
        })(),
      ),
    pingPong: async (count, onRoundTrip) => {
      const requests = createQueue();
      const responses = client.pingPong(requests)[Symbol.asyncIterator]();
      for (let index = 0; index < count; index++) {
        const started = process.hrtime.bigint();
        requests.push(MESSAGE);
        await responses.next();
        onRoundTrip(Number(process.hrtime.bigint() - started) / 1e6);
      }
      requests.end();
      await responses.next();
    },
    idleStreams: (count) => {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal); // one signal for every stream: not a leak
      for (let index = 0; index < count; index++) {
        void (async () => {
          try {
            for await (const _ of client.idleStream(MESSAGE, { signal: controller.signal }));
          } catch {}
        })();
      }
      return () => controller.abort();
    },
    close: () => channel.close(),
  };
}
