// grpc-aio (client and server), the idiomatic way a user writes it: `await call`, `for await`,
// `await write()` / `doneWriting()` (backpressure honoured), async generators on the server.
import { pathToFileURL } from 'node:url';

// run.mjs --aio-server/--aio-channel PATH: A/B another build (a dist entry file) of either package.
// Imported as `aio.mjs?variant=b` (the `aiob` arm of run.mjs --ab-channel/--ab-server), the
// BENCH_AIOB_* builds are used instead, where given.
const variantB = new URL(import.meta.url).searchParams.get('variant') === 'b';
const load = (variable, name) => {
  const path =
    (variantB ? process.env[variable.replace('BENCH_AIO', 'BENCH_AIOB')] : undefined) ??
    process.env[variable];
  return import(path ? pathToFileURL(path).href : name);
};
const { insecureChannel } = await load('BENCH_AIO_CHANNEL', '@grpc-aio/channel');
// The `aiob` arm with run.mjs --ab-interceptors: that build of the client interceptors too.
const interceptorsB = variantB ? process.env.BENCH_AIOB_INTERCEPTORS : undefined;
const { interceptChannel } = await (interceptorsB
  ? import(pathToFileURL(interceptorsB).href)
  : import('@grpc-aio/interceptors/client'));
const {
  server: createServer,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} = await load('BENCH_AIO_SERVER', '@grpc-aio/server');

import { countOf, countRequest, decode, encode, MESSAGE, METHODS } from '../codec.mjs';
import { idle } from '../idle.mjs';

/**
 * `options.compression`: the server's default response compression (h2load's gzip row);
 * `options.address`: where to listen (a cluster worker's shared port), 127.0.0.1:0 by default.
 */
export async function startServer({ compression, address = '127.0.0.1:0', telemetry } = {}) {
  const srv = createServer({
    ...(compression === undefined ? {} : { compression }),
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  srv.addRegisteredMethodHandlers('bench.Bench', {
    Unary: unaryUnaryRpcMethodHandler(async () => MESSAGE, decode, encode),
    ServerStream: unaryStreamRpcMethodHandler(
      async function* (request) {
        for (let left = countOf(request); left > 0; left--) yield MESSAGE;
      },
      decode,
      encode,
    ),
    ClientStream: streamUnaryRpcMethodHandler(
      async (requests) => {
        for await (const _ of requests);
        return MESSAGE;
      },
      decode,
      encode,
    ),
    PingPong: streamStreamRpcMethodHandler(
      async function* (requests) {
        for await (const message of requests) yield message;
      },
      decode,
      encode,
    ),
    IdleStream: unaryStreamRpcMethodHandler(
      async function* (_request, context) {
        // Stays open until the client cancels (context.signal aborts, the generator is closed).
        idle.open++;
        try {
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
        } finally {
          idle.open--;
        }
      },
      decode,
      encode,
    ),
  });
  const port = await srv.addInsecurePort(address);
  await srv.start();
  return { port, stop: () => srv.stop(null) };
}

/** Passes every call on unchanged: what the interceptor chain itself costs. */
const passThrough = (continuation, details, request) => continuation(details, request);
const PASS_THROUGH = {
  interceptUnaryUnary: passThrough,
  interceptUnaryStream: passThrough,
  interceptStreamUnary: passThrough,
  interceptStreamStream: passThrough,
};

/**
 * `options.telemetry`: the channel's telemetry (the `aio+noop`/`aio+metrics`/`aio+otel` arms);
 * `options.interceptors`: that many pass-through interceptors (the `aio+icpt` arm).
 */
export function createClient(target, { telemetry, interceptors = 0 } = {}) {
  const base = insecureChannel(target, telemetry === undefined ? undefined : { telemetry });
  const channel =
    interceptors === 0 ? base : interceptChannel(base, ...new Array(interceptors).fill(PASS_THROUGH));
  const unary = channel.unaryUnary(METHODS.unary, encode, decode);
  const serverStream = channel.unaryStream(METHODS.serverStream, encode, decode);
  const clientStream = channel.streamUnary(METHODS.clientStream, encode, decode);
  const pingPong = channel.streamStream(METHODS.pingPong, encode, decode);
  const idleStream = channel.unaryStream(METHODS.idleStream, encode, decode);
  return {
    unary: async () => await unary(MESSAGE),
    serverStream: async (count, onMessage) => {
      for await (const message of serverStream(countRequest(count))) onMessage(message);
    },
    clientStream: async (count) => {
      const call = clientStream();
      for (let index = 0; index < count; index++) await call.write(MESSAGE);
      await call.doneWriting();
      return await call;
    },
    pingPong: async (count, onRoundTrip) => {
      const call = pingPong();
      for (let index = 0; index < count; index++) {
        const started = process.hrtime.bigint();
        await call.write(MESSAGE);
        await call.read();
        onRoundTrip(Number(process.hrtime.bigint() - started) / 1e6);
      }
      await call.doneWriting();
      await call.read(); // EOF
      await call.code();
    },
    idleStreams: (count) => {
      const calls = [];
      for (let index = 0; index < count; index++) {
        const call = idleStream(MESSAGE);
        // A cancelled call rejects its pending/later reads; nobody reads these, so nothing to catch.
        calls.push(call);
      }
      return () => {
        for (const call of calls) call.cancel();
      };
    },
    close: () => channel.close(),
  };
}
