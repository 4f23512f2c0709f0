// Raw @grpc/grpc-js, callback API: the baseline every ratio is against.
import * as grpc from '@grpc/grpc-js';
import { countOf, countRequest, decode, encode, MESSAGE, METHODS } from '../codec.mjs';
import { idle } from '../idle.mjs';

const method = (path, requestStream, responseStream) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: encode,
  requestDeserialize: decode,
  responseSerialize: encode,
  responseDeserialize: decode,
});

export const definition = {
  unary: method(METHODS.unary, false, false),
  serverStream: method(METHODS.serverStream, false, true),
  clientStream: method(METHODS.clientStream, true, false),
  pingPong: method(METHODS.pingPong, true, true),
  idleStream: method(METHODS.idleStream, false, true),
};

/** Writes `count` messages to a grpc-js stream, honouring backpressure (`write()` + 'drain'), then ends it. */
function writeAll(call, count) {
  let left = count;
  const pump = () => {
    while (left > 0) {
      left--;
      if (!call.write(MESSAGE)) {
        call.once('drain', pump);
        return;
      }
    }
    call.end();
  };
  pump();
}

export async function startServer() {
  const server = new grpc.Server();
  server.addService(definition, {
    unary(_call, callback) {
      callback(null, MESSAGE);
    },
    serverStream(call) {
      writeAll(call, countOf(call.request));
    },
    clientStream(call, callback) {
      call.on('data', () => {});
      call.on('end', () => callback(null, MESSAGE));
    },
    pingPong(call) {
      call.on('data', (message) => call.write(message));
      call.on('end', () => call.end());
    },
    idleStream(call) {
      idle.open++;
      call.on('cancelled', () => {
        idle.open--;
      });
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

export function createClient(target) {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const { unary, serverStream, clientStream, pingPong, idleStream } = definition;
  return {
    unary: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(unary.path, encode, decode, MESSAGE, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    serverStream: (count, onMessage) =>
      new Promise((resolve, reject) => {
        const call = client.makeServerStreamRequest(serverStream.path, encode, decode, countRequest(count));
        call.on('data', onMessage);
        call.on('error', reject);
        call.on('end', resolve);
      }),
    clientStream: (count) =>
      new Promise((resolve, reject) => {
        const call = client.makeClientStreamRequest(clientStream.path, encode, decode, (error, response) =>
          error ? reject(error) : resolve(response),
        );
        writeAll(call, count);
      }),
    pingPong: async (count, onRoundTrip) => {
      const call = client.makeBidiStreamRequest(pingPong.path, encode, decode);
      const ended = new Promise((resolve, reject) => {
        call.on('error', reject);
        call.on('end', resolve);
      });
      let waiting;
      call.on('data', () => waiting());
      for (let index = 0; index < count; index++) {
        const started = process.hrtime.bigint();
        await new Promise((resolve) => {
          waiting = resolve;
          call.write(MESSAGE);
        });
        onRoundTrip(Number(process.hrtime.bigint() - started) / 1e6);
      }
      call.end();
      await ended;
    },
    idleStreams: (count) => {
      const calls = [];
      for (let index = 0; index < count; index++) {
        const call = client.makeServerStreamRequest(idleStream.path, encode, decode, MESSAGE);
        call.on('error', () => {});
        calls.push(call);
      }
      return () => {
        for (const call of calls) call.cancel();
      };
    },
    close: () => client.close(),
  };
}
