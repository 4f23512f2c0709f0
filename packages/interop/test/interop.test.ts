// The gRPC interop cases across peers: grpc-aio's client against grpc-aio, raw grpc-js and Python
// grpc.aio servers, and raw grpc-js and Python grpc.aio clients against grpc-aio's server.
import type * as grpc from '@grpc/grpc-js';
import { type ClientChannel, insecureChannel } from '@grpc-aio/channel';
import { type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { stub } from '@grpc-aio/protos';
import { server } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_IDS, CASE_NAMES, CLIENT_CASES } from '../src/cases.js';
import { GRPCJS_CLIENT_CASES, startGrpcJsServer } from '../src/grpcjs-peer.js';
import {
  type CaseResult,
  killAllPeers,
  type Peer,
  pythonUnavailable,
  runPythonClient,
  startPythonServer,
} from '../src/processes.js';
import { TestService, zeros } from '../src/proto.js';
import { addTestService } from '../src/test-service.js';

const noPython = pythonUnavailable();
afterAll(() => killAllPeers());

async function startAioServer(): Promise<{ srv: Server; port: number }> {
  const srv = server();
  addTestService(srv);
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  return { srv, port };
}

describe('grpc-aio client -> grpc-aio server', () => {
  let aio: { srv: Server; port: number };
  let channel: ClientChannel;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeAll(async () => {
    process.on('warning', onWarning);
    aio = await startAioServer();
    channel = insecureChannel(`127.0.0.1:${aio.port}`);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await channel?.close();
    await aio?.srv.stop(null);
  });
  for (const name of CASE_NAMES) it(`${CASE_IDS[name]} ${name}`, () => CLIENT_CASES[name]!({ channel }));

  it('A49 A61 HalfDuplexCall (not an interop case): responses come after the client half-closes', async () => {
    const call = stub(channel, TestService).HalfDuplexCall();
    await call.write({ responseParameters: [{ size: 3 }] });
    await call.write({ responseParameters: [{ size: 5 }, { size: 7 }] });
    await call.doneWriting();
    const sizes: number[] = [];
    for await (const reply of call) sizes.push(reply.payload.body.length);
    expect(sizes).toEqual([3, 5, 7]);
  });

  it('A57 server_compressed_*: responses are compressed as asked, without a warning', () => {
    // The wire form (the per-message compressed flag) is checked by a raw client in
    // packages/server/test/wire.test.ts; grpc-js decompresses silently.
    expect(warnings.map((w) => [w.name, (w as { code?: string }).code])).toEqual([]);
  });
});

describe('grpc-aio client -> grpc-js server', () => {
  let js: { server: grpc.Server; port: number };
  let channel: ClientChannel;
  beforeAll(async () => {
    js = await startGrpcJsServer();
    channel = insecureChannel(`127.0.0.1:${js.port}`);
  });
  afterAll(async () => {
    await channel?.close();
    js?.server.forceShutdown();
  });
  for (const name of CASE_NAMES) it(`${CASE_IDS[name]} ${name}`, () => CLIENT_CASES[name]!({ channel }));
});

describe.skipIf(noPython)(
  `grpc-aio client -> Python grpc.aio server${noPython ? ` (skipped: ${noPython})` : ''}`,
  () => {
    let peer: Peer | undefined;
    let channel: ClientChannel;
    beforeAll(async () => {
      peer = await startPythonServer();
      channel = insecureChannel(`127.0.0.1:${peer.port}`);
    });
    afterAll(async () => {
      await channel?.close();
      await peer?.kill();
    });
    for (const name of CASE_NAMES) it(`${CASE_IDS[name]} ${name}`, () => CLIENT_CASES[name]!({ channel }));

    it('A1 A24 the default 4 MiB limits hold both ways: RESOURCE_EXHAUSTED, and the channel keeps working', async () => {
      const ts = stub(channel, TestService);
      const failure = async (call: PromiseLike<unknown>) => {
        try {
          await call;
        } catch (error) {
          if (error instanceof AioRpcError) return [error.code(), error.details()];
          throw error;
        }
        throw new Error('expected a failure');
      };
      expect(await failure(ts.UnaryCall({ responseSize: 5 << 20 }, { timeout: 5 }))).toEqual([
        StatusCode.RESOURCE_EXHAUSTED,
        'Received message larger than max (5242890 vs 4194304)',
      ]);
      // Python's own wording (note the period).
      expect(await failure(ts.UnaryCall({ payload: { body: zeros(5 << 20) } }, { timeout: 5 }))).toEqual([
        StatusCode.RESOURCE_EXHAUSTED,
        'Received message larger than max (5242890 vs. 4194304)',
      ]);
      expect(await ts.EmptyCall({}, { timeout: 5 })).toEqual({});
    });
  },
);

describe('grpc-js client -> grpc-aio server', () => {
  let aio: { srv: Server; port: number };
  beforeAll(async () => {
    aio = await startAioServer();
  });
  afterAll(async () => {
    await aio?.srv.stop(null);
  });
  for (const [name, run] of Object.entries(GRPCJS_CLIENT_CASES))
    it(`${CASE_IDS[name]} ${name}`, () => run(`127.0.0.1:${aio.port}`));
});

describe.skipIf(noPython)(
  `Python grpc.aio client -> grpc-aio server${noPython ? ` (skipped: ${noPython})` : ''}`,
  () => {
    let aio: { srv: Server; port: number };
    let results: Map<string, CaseResult>;
    beforeAll(async () => {
      aio = await startAioServer();
      results = new Map((await runPythonClient(aio.port)).map((r) => [r.case, r]));
    }, 60_000);
    afterAll(async () => {
      await aio?.srv.stop(null);
    });
    it('A24 the Python client ran every case', () => {
      expect([...results.keys()]).toEqual(CASE_NAMES);
    });
    for (const name of CASE_NAMES)
      it(`${CASE_IDS[name]} ${name}`, () => {
        expect(results.get(name)).toEqual({ case: name, ok: true });
      });
  },
);
