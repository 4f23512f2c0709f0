// A raw @grpc/grpc-js server for the client's tests: bytes in, bytes out, bound to 127.0.0.1:0.
import * as grpc from '@grpc/grpc-js';
import { identity } from './bytes.js';

/** A grpc-js method definition whose messages are the bytes themselves. */
export function bytesMethod(
  path: string,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** The methods of the test service. */
export const Methods = {
  /** Echoes the request; initial metadata `initial-key: iv` (+ `x-echo` copied), trailing `trailing-key: tv`. */
  echo: '/test.Test/Echo',
  /** Fails NOT_FOUND "no such thing" after sending initial metadata, with trailing metadata. */
  fail: '/test.Test/Fail',
  /** Waits (request: ms as ASCII) then echoes; never answers for "hang". */
  sleep: '/test.Test/Sleep',
  /** Echoes the metadata values the server saw for `authorization` (joined by ","). */
  auth: '/test.Test/Auth',
  /** Streams responses; request JSON {count, delayMs?, fail?, hang?}. */
  stream: '/test.Test/Stream',
  /** Counts the requests; response "n:<count>:<joined requests>"; fails INVALID_ARGUMENT on request "fail". */
  upload: '/test.Test/Upload',
  /** Echoes each request; "fail" ends with ABORTED; ends when the client half-closes. */
  bidi: '/test.Test/Bidi',
  /** Sends two responses on a unary method (misbehaving server, via a server-streaming handler). */
  twice: '/test.Test/Twice',
  /** Replies OK with no response message (server-streaming handler on a unary path). */
  none: '/test.Test/None',
} as const;

const service: grpc.ServiceDefinition = {
  Echo: bytesMethod(Methods.echo, false, false),
  Fail: bytesMethod(Methods.fail, false, false),
  Sleep: bytesMethod(Methods.sleep, false, false),
  Auth: bytesMethod(Methods.auth, false, false),
  Stream: bytesMethod(Methods.stream, false, true),
  Upload: bytesMethod(Methods.upload, true, false),
  Bidi: bytesMethod(Methods.bidi, true, true),
  Twice: bytesMethod(Methods.twice, false, true),
  None: bytesMethod(Methods.none, false, true),
};

/** What the server observed, for assertions. */
interface Observed {
  /** Metadata of the last call per method path. */
  metadata: Map<string, grpc.Metadata>;
  /** Paths of calls the server saw cancelled. */
  cancelled: string[];
  /** Resolves the next time a call gets cancelled on the server. */
  nextCancel(): Promise<string>;
  /** Resolves the next time the server starts handling a call. */
  nextCall(): Promise<string>;
}

export interface TestServer {
  port: number;
  address: string;
  observed: Observed;
  close(): Promise<void>;
}

function waiters(): { next(): Promise<string>; fire(value: string): void } {
  let pending: ((value: string) => void)[] = [];
  return {
    next: () => new Promise<string>((resolve) => pending.push(resolve)),
    fire(value) {
      const current = pending;
      pending = [];
      for (const resolve of current) resolve(value);
    },
  };
}

/** Starts the test server (insecure unless `credentials` are given). */
export async function startGrpcJsServer(
  credentials = grpc.ServerCredentials.createInsecure(),
): Promise<TestServer> {
  const server = new grpc.Server();
  const cancels = waiters();
  const calls = waiters();
  const observed: Observed = {
    metadata: new Map(),
    cancelled: [],
    nextCancel: cancels.next,
    nextCall: calls.next,
  };
  const watch = (
    path: string,
    call: { metadata: grpc.Metadata; on(event: 'cancelled', listener: () => void): unknown },
  ) => {
    observed.metadata.set(path, call.metadata);
    call.on('cancelled', () => {
      observed.cancelled.push(path);
      cancels.fire(path);
    });
    calls.fire(path);
  };
  const implementation: grpc.UntypedServiceImplementation = {
    Echo(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      watch(Methods.echo, call);
      const initial = new grpc.Metadata();
      initial.set('initial-key', 'iv');
      for (const value of call.metadata.get('x-echo')) initial.add('x-echo', value);
      call.sendMetadata(initial);
      const trailing = new grpc.Metadata();
      trailing.set('trailing-key', 'tv');
      callback(null, call.request, trailing);
    },
    Fail(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      watch(Methods.fail, call);
      const initial = new grpc.Metadata();
      initial.set('initial-key', 'iv');
      call.sendMetadata(initial);
      const trailing = new grpc.Metadata();
      trailing.set('error-key', 'ev');
      trailing.set('error-bin', Buffer.from([1, 2, 3]));
      callback({ code: grpc.status.NOT_FOUND, details: 'no such thing', metadata: trailing });
    },
    Sleep(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      watch(Methods.sleep, call);
      const text = call.request.toString();
      if (text === 'hang') return;
      const timer = setTimeout(() => callback(null, call.request), Number(text));
      call.on('cancelled', () => clearTimeout(timer));
    },
    Auth(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      watch(Methods.auth, call);
      callback(null, Buffer.from(call.metadata.get('authorization').join(',')));
    },
    Stream(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      watch(Methods.stream, call);
      const {
        count,
        delayMs = 0,
        fail = false,
        hang = false,
      } = JSON.parse(call.request.toString()) as {
        count: number;
        delayMs?: number;
        fail?: boolean;
        hang?: boolean;
      };
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      call.on('cancelled', () => clearTimeout(timer));
      const finish = () => {
        if (hang) return;
        if (fail) {
          const trailing = new grpc.Metadata();
          trailing.set('error-key', 'ev');
          call.emit('error', {
            code: grpc.status.RESOURCE_EXHAUSTED,
            details: 'stream failed',
            metadata: trailing,
          });
        } else call.end();
      };
      const next = () => {
        if (sent === count) return finish();
        call.write(Buffer.from(`m${sent++}`));
        if (delayMs > 0) timer = setTimeout(next, delayMs);
        else next();
      };
      next();
    },
    Upload(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      watch(Methods.upload, call);
      const received: string[] = [];
      let failed = false;
      call.on('data', (chunk: Buffer) => {
        received.push(chunk.toString());
        if (chunk.toString() === 'fail' && !failed) {
          failed = true;
          callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad request' });
        }
      });
      call.on('end', () => {
        if (!failed) callback(null, Buffer.from(`n:${received.length}:${received.join(',')}`));
      });
    },
    Bidi(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
      watch(Methods.bidi, call);
      call.on('data', (chunk: Buffer) => {
        if (chunk.toString() === 'fail') {
          call.emit('error', { code: grpc.status.ABORTED, details: 'bidi aborted' });
          return;
        }
        call.write(chunk);
      });
      call.on('end', () => call.end());
    },
    Twice(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      watch(Methods.twice, call);
      call.write(Buffer.from('one'));
      call.write(Buffer.from('two'));
      call.end();
    },
    None(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      watch(Methods.none, call);
      call.end();
    },
  };
  server.addService(service, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    observed,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
