import * as grpc from '@grpc/grpc-js';
import { insecureChannel } from '@grpc-aio/channel';
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { bytesMethod } from '@grpc-aio/test-support';
import { fakeChannel } from '../src/fake-channel.js';
import { strictFakeTime } from '../src/time.js';
import { callContract, Methods } from './contract.js';

const method = bytesMethod;

const service: grpc.ServiceDefinition = {
  Echo: method(Methods.echo, false, false),
  Fail: method(Methods.fail, false, false),
  Hang: method(Methods.hang, false, false),
  Stream: method(Methods.stream, false, true),
  Upload: method(Methods.upload, true, false),
  Bidi: method(Methods.bidi, true, true),
};

function metadata(key: string, value: string): grpc.Metadata {
  const result = new grpc.Metadata();
  result.set(key, value);
  return result;
}

const implementation: grpc.UntypedServiceImplementation = {
  Echo(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
    call.sendMetadata(metadata('initial-key', 'iv'));
    callback(null, call.request, metadata('trailing-key', 'tv'));
  },
  Fail(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
    call.sendMetadata(metadata('initial-key', 'iv'));
    callback({
      code: StatusCode.NOT_FOUND,
      details: 'no such thing',
      metadata: metadata('trailing-key', 'tv'),
    });
  },
  Hang() {},
  Stream(call: grpc.ServerWritableStream<Buffer, Buffer>) {
    const count = Number(call.request.toString());
    for (let index = 0; index < count; index++) call.write(Buffer.from(String(index)));
    call.end();
  },
  Upload(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
    const parts: string[] = [];
    call.on('data', (chunk: Buffer) => parts.push(chunk.toString()));
    call.on('end', () => callback(null, Buffer.from(parts.join(','))));
    call.on('error', () => {});
  },
  Bidi(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
    call.on('data', (chunk: Buffer) => call.write(chunk));
    call.on('end', () => call.end());
    call.on('error', () => {});
  },
};

callContract('real channel to a grpc-js server', async () => {
  const server = new grpc.Server();
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  const channel = insecureChannel(`127.0.0.1:${port}`);
  return {
    channel,
    elapse: async () => {},
    close: async () => {
      await channel.close();
      server.forceShutdown();
    },
  };
});

callContract('fake channel on fake time', async () => {
  const time = strictFakeTime(1_000_000);
  const channel = fakeChannel({ time })
    .handle(Methods.echo, async (request: string, context) => {
      context.sendInitialMetadata([['initial-key', 'iv']]);
      context.setTrailingMetadata([['trailing-key', 'tv']]);
      return request;
    })
    .handle(Methods.fail, async (_request, context) => {
      context.sendInitialMetadata([['initial-key', 'iv']]);
      throw new AioRpcError(StatusCode.NOT_FOUND, null, [['trailing-key', 'tv']], 'no such thing');
    })
    .handle(
      Methods.hang,
      (_request, context) => new Promise((resolve) => context.signal.addEventListener('abort', resolve)),
    )
    .handle(Methods.stream, async function* (request: string) {
      for (let index = 0; index < Number(request); index++) yield String(index);
    })
    .handle(Methods.upload, async (requests: AsyncIterable<string>) => {
      const parts: string[] = [];
      for await (const part of requests) parts.push(part);
      return parts.join(',');
    })
    .handle(Methods.bidi, async function* (requests: AsyncIterable<string>) {
      for await (const request of requests) yield request;
    });
  return { channel, elapse: (seconds) => time.advance(seconds), close: () => channel.close() };
});
