// biome-ignore-all lint/suspicious/noExplicitAny: the grpc-js clients loaded at run time from the interop .proto are untyped
// A raw @grpc/grpc-js interop peer (server and client), with no grpc-aio code: the reference the
// grpc-aio channel and server are checked against. Loaded with @grpc/proto-loader.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const TEST_PROTO = fileURLToPath(new URL('../protos/test.proto', import.meta.url));
const definition = loadSync(TEST_PROTO, { longs: Number });
const loaded = grpc.loadPackageDefinition(definition) as any;
const TestServiceClient = loaded.grpc.testing.TestService as grpc.ServiceClientConstructor;
const UnimplementedServiceClient = loaded.grpc.testing.UnimplementedService as grpc.ServiceClientConstructor;

type Msg = any;
const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';
const zeros = (n: number) => Buffer.alloc(n);
const size = (payload: Msg) => payload?.body?.length ?? 0;

function echo(call: { metadata: grpc.Metadata; sendMetadata(md: grpc.Metadata): void }): grpc.Metadata {
  const initial = call.metadata.get(ECHO_INITIAL);
  if (initial.length) {
    const md = new grpc.Metadata();
    md.set(ECHO_INITIAL, initial[0]!);
    call.sendMetadata(md);
  }
  const trailer = new grpc.Metadata();
  const trailing = call.metadata.get(ECHO_TRAILING);
  if (trailing.length) trailer.set(ECHO_TRAILING, trailing[0]!);
  return trailer;
}

function statusOf(request: Msg, trailer: grpc.Metadata): Partial<grpc.StatusObject> | null {
  const status = request.responseStatus;
  if (status?.code) return { code: status.code, details: status.message ?? '', metadata: trailer };
  return null;
}

async function writeResponses(call: grpc.ServerWritableStream<Msg, Msg>, request: Msg): Promise<void> {
  for (const p of request.responseParameters ?? []) {
    if (p.intervalUs) await new Promise((r) => setTimeout(r, p.intervalUs / 1000));
    if (call.cancelled) return;
    await new Promise<void>((resolve) =>
      call.write({ payload: { body: zeros(p.size ?? 0) } }, () => resolve()),
    );
  }
}

/** The TestService on raw grpc-js (UnimplementedCall not implemented: grpc-js answers UNIMPLEMENTED). */
const grpcJsTestService: grpc.UntypedServiceImplementation = {
  EmptyCall(call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) {
    callback(null, {}, echo(call));
  },
  UnaryCall(call: grpc.ServerUnaryCall<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) {
    const trailer = echo(call);
    const status = statusOf(call.request, trailer);
    if (status) return callback(status, null);
    callback(null, { payload: { body: zeros(call.request.responseSize ?? 0) } }, trailer);
  },
  StreamingOutputCall(call: grpc.ServerWritableStream<Msg, Msg>) {
    const trailer = echo(call);
    writeResponses(call, call.request).then(
      () => {
        const status = statusOf(call.request, trailer);
        if (status) call.emit('error', status);
        else call.end(trailer);
      },
      () => undefined,
    );
  },
  StreamingInputCall(call: grpc.ServerReadableStream<Msg, Msg>, callback: grpc.sendUnaryData<Msg>) {
    const trailer = echo(call);
    let total = 0;
    call.on('data', (request: Msg) => {
      total += size(request.payload);
    });
    call.on('end', () => callback(null, { aggregatedPayloadSize: total }, trailer));
    call.on('error', () => undefined);
  },
  FullDuplexCall(call: grpc.ServerDuplexStream<Msg, Msg>) {
    const trailer = echo(call);
    let chain = Promise.resolve();
    let failed = false;
    call.on('data', (request: Msg) => {
      chain = chain.then(async () => {
        if (failed) return;
        await writeResponses(call as unknown as grpc.ServerWritableStream<Msg, Msg>, request);
        const status = statusOf(request, trailer);
        if (status) {
          failed = true;
          call.emit('error', status);
        }
      });
    });
    call.on('end', () => {
      void chain.then(() => {
        if (!failed) call.end(trailer);
      });
    });
    call.on('error', () => undefined);
  },
};

/** Starts the raw grpc-js interop server on 127.0.0.1:`port` (0 picks one); resolves to it and the port. */
export async function startGrpcJsServer(port = 0): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(TestServiceClient.service, grpcJsTestService);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}

function unary(client: grpc.Client, method: string, request: Msg, metadata = new grpc.Metadata()) {
  return new Promise<{ reply: Msg; initial?: grpc.Metadata; trailing?: grpc.Metadata }>((resolve, reject) => {
    let initial: grpc.Metadata | undefined;
    let trailing: grpc.Metadata | undefined;
    const call = (client as any)[method](request, metadata, (error: grpc.ServiceError | null, reply: Msg) =>
      error ? reject(error) : setImmediate(() => resolve({ reply, initial, trailing })),
    );
    call.on('metadata', (md: grpc.Metadata) => {
      initial = md;
    });
    call.on('status', (status: grpc.StatusObject) => {
      trailing = status.metadata;
    });
  });
}

async function expectStatus(promise: Promise<unknown>, code: grpc.status, details?: string) {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (e: grpc.ServiceError) => e,
  );
  assert.equal(error.code, code, `got ${error.code} ${error.details}`);
  if (details !== undefined) assert.equal(error.details, details);
}

function duplexReader(call: grpc.ClientDuplexStream<Msg, Msg>) {
  const queue: Msg[] = [];
  const waiters: ((m: Msg) => void)[] = [];
  call.on('data', (m: Msg) => (waiters.length ? waiters.shift()!(m) : queue.push(m)));
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('error', () => undefined);
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise<Msg>((r) => waiters.push(r))),
    status,
  };
}

/** The interop client cases on raw grpc-js, against `target`. */
export const GRPCJS_CLIENT_CASES: Record<string, (target: string) => Promise<void>> = {
  async empty_unary(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      assert.deepEqual((await unary(client, 'EmptyCall', {})).reply, {});
    } finally {
      client.close();
    }
  },
  async large_unary(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const { reply } = await unary(client, 'UnaryCall', {
        responseSize: 314159,
        payload: { body: zeros(271828) },
      });
      assert.equal(size(reply.payload), 314159);
    } finally {
      client.close();
    }
  },
  async client_streaming(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise<Msg>((resolve, reject) => {
        const call = (client as any).StreamingInputCall((e: Error | null, r: Msg) =>
          e ? reject(e) : resolve(r),
        );
        for (const n of [27182, 8, 1828, 45904]) call.write({ payload: { body: zeros(n) } });
        call.end();
      });
      assert.equal(reply.aggregatedPayloadSize, 74922);
    } finally {
      client.close();
    }
  },
  async server_streaming(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const sizes = [31415, 9, 2653, 58979];
      const call = (client as any).StreamingOutputCall({
        responseParameters: sizes.map((s) => ({ size: s })),
      });
      const got: number[] = [];
      for await (const reply of call) got.push(size(reply.payload));
      assert.deepEqual(got, sizes);
    } finally {
      client.close();
    }
  },
  async ping_pong(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const call = (client as any).FullDuplexCall() as grpc.ClientDuplexStream<Msg, Msg>;
      const reader = duplexReader(call);
      const req = [27182, 8, 1828, 45904];
      const res = [31415, 9, 2653, 58979];
      for (let i = 0; i < 4; i++) {
        call.write({ responseParameters: [{ size: res[i] }], payload: { body: zeros(req[i]!) } });
        assert.equal(size((await reader.next()).payload), res[i]);
      }
      call.end();
      assert.equal((await reader.status).code, grpc.status.OK);
    } finally {
      client.close();
    }
  },
  async empty_stream(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const call = (client as any).FullDuplexCall() as grpc.ClientDuplexStream<Msg, Msg>;
      const reader = duplexReader(call);
      call.end();
      assert.equal((await reader.status).code, grpc.status.OK);
    } finally {
      client.close();
    }
  },
  async timeout_on_sleeping_server(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const call = (client as any).FullDuplexCall({ deadline: Date.now() + 1 }) as grpc.ClientDuplexStream<
        Msg,
        Msg
      >;
      const reader = duplexReader(call);
      call.write({ payload: { body: zeros(27182) } });
      assert.equal((await reader.status).code, grpc.status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
    }
  },
  async cancel_after_begin(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const error = await new Promise<grpc.ServiceError>((resolve) => {
        const call = (client as any).StreamingInputCall((e: grpc.ServiceError) => resolve(e));
        call.cancel();
      });
      assert.equal(error.code, grpc.status.CANCELLED);
    } finally {
      client.close();
    }
  },
  async cancel_after_first_response(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const call = (client as any).FullDuplexCall() as grpc.ClientDuplexStream<Msg, Msg>;
      const reader = duplexReader(call);
      call.write({ responseParameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
      assert.equal(size((await reader.next()).payload), 31415);
      call.cancel();
      assert.equal((await reader.status).code, grpc.status.CANCELLED);
    } finally {
      client.close();
    }
  },
  async status_code_and_message(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const responseStatus = { code: 2, message: 'test status message' };
      await expectStatus(
        unary(client, 'UnaryCall', { responseStatus }),
        grpc.status.UNKNOWN,
        'test status message',
      );
      const call = (client as any).FullDuplexCall() as grpc.ClientDuplexStream<Msg, Msg>;
      const reader = duplexReader(call);
      call.write({ responseStatus });
      call.end();
      const status = await reader.status;
      assert.equal(status.code, grpc.status.UNKNOWN);
      assert.equal(status.details, 'test status message');
    } finally {
      client.close();
    }
  },
  async special_status_message(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    const message = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';
    try {
      await expectStatus(
        unary(client, 'UnaryCall', { responseStatus: { code: 2, message } }),
        grpc.status.UNKNOWN,
        message,
      );
    } finally {
      client.close();
    }
  },
  async custom_metadata(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const md = new grpc.Metadata();
      md.set(ECHO_INITIAL, 'test_initial_metadata_value');
      md.set(ECHO_TRAILING, Buffer.from([0xab, 0xab, 0xab]));
      const { initial, trailing } = await unary(client, 'UnaryCall', { responseSize: 1 }, md);
      assert.deepEqual(initial?.get(ECHO_INITIAL), ['test_initial_metadata_value']);
      assert.deepEqual(trailing?.get(ECHO_TRAILING), [Buffer.from([0xab, 0xab, 0xab])]);
    } finally {
      client.close();
    }
  },
  async unimplemented_method(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      await expectStatus(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  },
  async unimplemented_service(target) {
    const client = new UnimplementedServiceClient(target, grpc.credentials.createInsecure());
    try {
      await expectStatus(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  },
  async client_compressed_unary(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    try {
      const { reply } = await unary(client, 'UnaryCall', {
        responseSize: 314159,
        payload: { body: zeros(271828) },
        expectCompressed: { value: true },
      });
      assert.equal(size(reply.payload), 314159);
    } finally {
      client.close();
    }
  },
  async client_compressed_streaming(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    try {
      const reply = await new Promise<Msg>((resolve, reject) => {
        const call = (client as any).StreamingInputCall((e: Error | null, r: Msg) =>
          e ? reject(e) : resolve(r),
        );
        call.write({ payload: { body: zeros(27182) }, expectCompressed: { value: true } });
        call.write({ payload: { body: zeros(45904) }, expectCompressed: { value: false } });
        call.end();
      });
      assert.equal(reply.aggregatedPayloadSize, 73086);
    } finally {
      client.close();
    }
  },
  async server_compressed_unary(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      for (const value of [true, false]) {
        const { reply } = await unary(client, 'UnaryCall', {
          responseSize: 314159,
          responseCompressed: { value },
        });
        assert.equal(size(reply.payload), 314159);
      }
    } finally {
      client.close();
    }
  },
  async server_compressed_streaming(target) {
    const client = new TestServiceClient(target, grpc.credentials.createInsecure());
    try {
      const call = (client as any).StreamingOutputCall({
        responseParameters: [
          { size: 31415, compressed: { value: true } },
          { size: 92653, compressed: { value: false } },
        ],
      });
      const got: number[] = [];
      for await (const reply of call) got.push(size(reply.payload));
      assert.deepEqual(got, [31415, 92653]);
    } finally {
      client.close();
    }
  },
};
