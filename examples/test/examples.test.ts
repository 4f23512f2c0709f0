import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main as helloworld } from '../src/helloworld.js';
import { main as interceptors } from '../src/interceptors.js';
import { main as loadBalancing } from '../src/load-balancing.js';
import { main as observability } from '../src/observability.js';
import { main as protobufEs } from '../src/protobuf-es.js';
import { main as tls } from '../src/tls.js';
import { main as tsProto } from '../src/ts-proto.js';

const run = promisify(execFile);
const examples = fileURLToPath(new URL('..', import.meta.url));

describe('examples', () => {
  it('helloworld: typed stubs, metadata', async () => {
    expect(await helloworld()).toEqual(['Hello, world!', 'Bonjour, monde!']);
  });

  it('interceptors: auth token checked before the handler, caller passed on, both sides logging', async () => {
    const lines = await interceptors();
    expect([...lines].sort()).toEqual(
      [
        'Hello Ada, you are ada',
        'client: /helloworld.Greeter/SayHello OK',
        'client: /helloworld.Greeter/SayHello UNAUTHENTICATED',
        'server: /helloworld.Greeter/SayHello OK',
        'server: /helloworld.Greeter/SayHello UNAUTHENTICATED',
        'without a token: UNAUTHENTICATED "missing or unknown token"',
      ].sort(),
    );
  });

  it('protobuf-es: a protobuf-es v2 service served and called over loopback (issue 20 item 10)', async () => {
    expect(await protobufEs()).toEqual(['helloworld.HelloReply: Hello, protobuf-es!']);
  });

  it('ts-proto: a ts-proto generic definition served and called over loopback (issue 20 item 10)', async () => {
    expect(await tsProto()).toEqual(['HelloReply: Hello, ts-proto!']);
  });

  it('observability: client span, then server span, then the handler span; the nine A66 metrics (issue 19)', async () => {
    expect(await observability()).toEqual([
      'span compose greeting (INTERNAL) under helloworld.Greeter/SayHello (SERVER)',
      'span helloworld.Greeter/SayHello (SERVER) under helloworld.Greeter/SayHello (CLIENT)',
      'span helloworld.Greeter/SayHello (CLIENT) under nothing',
      'span helloworld.Greeter/Unknown (SERVER) under helloworld.Greeter/Unknown (CLIENT)',
      'span helloworld.Greeter/Unknown (CLIENT) under nothing',
      'metric grpc.client.attempt.duration',
      'metric grpc.client.attempt.rcvd_total_compressed_message_size',
      'metric grpc.client.attempt.sent_total_compressed_message_size',
      'metric grpc.client.attempt.started',
      'metric grpc.client.call.duration',
      'metric grpc.server.call.duration',
      'metric grpc.server.call.rcvd_total_compressed_message_size',
      'metric grpc.server.call.sent_total_compressed_message_size',
      'metric grpc.server.call.started',
    ]);
  });

  it('tls: mutual TLS identity, and a client without a certificate is refused', async () => {
    expect(await tls()).toEqual([
      'Hello mTLS client, your certificate says grpc-aio test client',
      'without a client certificate: UNAVAILABLE',
    ]);
  });

  it('load balancing: round_robin spreads 30 calls over the three servers', async () => {
    const lines = await loadBalancing();
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) {
      const count = Number(/^server (\d): (\d+) calls$/.exec(line)?.[2]);
      expect(line.startsWith(`server ${index + 1}:`)).toBe(true);
      expect(count).toBeGreaterThanOrEqual(5);
    }
  });

  it('demo: the main job runs every step and exits 0', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
      cwd: examples,
      timeout: 60_000,
    });
    expect(stdout).toContain('demo finished: every step behaved as expected');
    expect(stdout).not.toContain('FAILED');
    for (const title of [
      'unary',
      'server streaming',
      'client streaming',
      'bidirectional streaming',
      'a cancelled call',
      'a server error',
      'a deadline',
      'health checks',
      'graceful stop',
    ]) {
      expect(stdout).toContain(`== ${title}`);
    }
  }, 60_000);
});
