// Ports of the native transport: IPv4, IPv6, hostnames on every address, Unix sockets, and clear
// failures.
import { lookup } from 'node:dns/promises';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusCode } from '@grpc-aio/core';
import { bytes, newClient, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  methodHandlersGenericHandler,
  REUSE_PORT_UNSUPPORTED,
  server,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { track } from './helpers.js';

const hasIpv6 = Object.values(networkInterfaces()).some((entries) =>
  entries?.some((entry) => entry.family === 'IPv6' && entry.internal),
);

function echoServer() {
  return track(
    server({
      handlers: [
        methodHandlersGenericHandler('t.S', {
          Peer: unaryUnaryRpcMethodHandler((_r: string, context) => context.peer(), text, bytes),
        }),
      ],
    }),
  );
}

describe('ports', () => {
  it('A44 127.0.0.1:0 picks a port; the peer is in C-core form', async () => {
    const srv = echoServer();
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const outcome = await unary(newClient(port), '/t.S/Peer', 'x');
    expect(outcome.responses[0]).toMatch(/^ipv4:127\.0\.0\.1:\d+$/);
  });

  it.skipIf(!hasIpv6)(
    'A44 [::1]:0 serves IPv6; localhost:0 binds every address localhost resolves to, on one port',
    async () => {
      const srv = echoServer();
      const v6 = await srv.addInsecurePort('[::1]:0');
      const both = await srv.addInsecurePort('localhost:0');
      await srv.start();
      const overV6 = await unary(newClient(v6, undefined, {}, `[::1]:${v6}`), '/t.S/Peer', 'x');
      expect(overV6.responses[0]).toMatch(/^ipv6:\[::1\]:\d+$/);
      const addresses = await lookup('localhost', { all: true });
      for (const target of addresses.map(({ address, family }) =>
        family === 6 ? `[${address}]:${both}` : `${address}:${both}`,
      )) {
        expect((await unary(newClient(both, undefined, {}, target), '/t.S/Peer', 'x')).status.code).toBe(
          StatusCode.OK,
        );
      }
    },
  );

  it('A44 unix: paths', async () => {
    const srv = echoServer();
    const path = join(mkdtempSync(join(tmpdir(), 'grpc-aio-')), 'server.sock');
    expect(await srv.addInsecurePort(`unix:${path}`)).toBe(0);
    await srv.start();
    const outcome = await unary(newClient(0, undefined, {}, `unix:${path}`), '/t.S/Peer', 'x');
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.responses[0]).toMatch(/^unix:/);
  });

  it('A44 a port in use, or bound twice on one server, fails naming the address', async () => {
    const srv = echoServer();
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await expect(srv.addInsecurePort(`127.0.0.1:${port}`)).rejects.toThrow(
      `Failed to bind to address 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    );
    const reuse = echoServer();
    const error = await reuse.addInsecurePort(`127.0.0.1:${port}`).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^Failed to bind to address 127\.0\.0\.1:\d+: listen EADDRINUSE/,
    );
  });

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeReusesPorts = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);

  it.skipIf(nodeReusesPorts)(
    'A44 grpc.so_reuseport 1 is an error where Node cannot set SO_REUSEPORT; 0 binds exclusively',
    async () => {
      expect(() => server({ options: [['grpc.so_reuseport', 1]] })).toThrow(REUSE_PORT_UNSUPPORTED);
      const srv = track(server({ options: [['grpc.so_reuseport', 0]] }));
      const port = await srv.addInsecurePort('127.0.0.1:0');
      await expect(
        track(server({ options: [['grpc.so_reuseport', 0]] })).addInsecurePort(`127.0.0.1:${port}`),
      ).rejects.toThrow(`Failed to bind to address 127.0.0.1:${port}`);
    },
  );

  it.skipIf(!nodeReusesPorts)(
    'A44 grpc.so_reuseport 1 lets two servers share a port (Node 22.12+)',
    async () => {
      const first = track(server({ options: [['grpc.so_reuseport', 1]] }));
      const port = await first.addInsecurePort('127.0.0.1:0');
      const second = track(server({ options: [['grpc.so_reuseport', 1]] }));
      expect(await second.addInsecurePort(`127.0.0.1:${port}`)).toBe(port);
    },
  );

  it('A44 malformed addresses are clear errors', async () => {
    const srv = echoServer();
    for (const [address, reason] of [
      ['127.0.0.1', 'expected host:port, [ipv6]:port or unix:path'],
      ['127.0.0.1:70000', 'invalid port "70000"'],
      ['unix:', 'a unix: address needs a path'],
    ] as const) {
      await expect(srv.addInsecurePort(address)).rejects.toThrow(
        `Failed to bind to address ${address}: ${reason}`,
      );
    }
  });
});
