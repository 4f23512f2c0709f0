// The probe CLI: grpc_health_probe's exit codes against real servers, in process (runHealthProbe)
// and once through the built bin (bin/grpc-aio-health-probe.mjs, running dist/cli.mjs made by `turbo run build`) in a child process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  addHealthServicer,
  HealthServicer,
  ProbeExit,
  runHealthProbe,
  ServingStatus,
} from '@grpc-aio/health';
import { server, sslServerCredentials } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The certificates of packages/test-fixtures, read by path: that package is not linked into this
// one's node_modules.
const cert = (name: string) => fileURLToPath(new URL(`../../test-fixtures/certs/${name}`, import.meta.url));
const CA = cert('ca.pem');
const OTHER_CA = cert('other-ca.pem');
const CLIENT_CERT = cert('client.pem');
const CLIENT_KEY = cert('client.key');
const serverPair = {
  privateKey: readFileSync(cert('server.key')),
  certificateChain: readFileSync(cert('server.pem')),
};

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function probe(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runHealthProbe(argv, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

async function healthServer(
  bind: (srv: ReturnType<typeof server>) => Promise<number>,
): Promise<{ address: string; servicer: HealthServicer }> {
  const srv = server();
  cleanups.push(() => srv.stop(null));
  const servicer = addHealthServicer(srv);
  await servicer.set('down', ServingStatus.NOT_SERVING);
  const port = await bind(srv);
  await srv.start();
  return { address: `127.0.0.1:${port}`, servicer };
}

let plain: string;
let tls: string;
let mtls: string;
let bare: string;
let silent: string;
let closed: string;

beforeAll(async () => {
  plain = (await healthServer((srv) => srv.addInsecurePort('127.0.0.1:0'))).address;
  // TLS servers are probed as localhost (their certificate's name): probing an IP over TLS makes
  // Node warn (DEP0123) that grpc-js sets the TLS server name to an IP.
  tls = (
    await healthServer((srv) => srv.addSecurePort('127.0.0.1:0', sslServerCredentials([serverPair])))
  ).address.replace('127.0.0.1', 'localhost');
  mtls = (
    await healthServer((srv) =>
      srv.addSecurePort('127.0.0.1:0', sslServerCredentials([serverPair], readFileSync(CA), true)),
    )
  ).address.replace('127.0.0.1', 'localhost');

  const noHealth = server();
  cleanups.push(() => noHealth.stop(null));
  bare = `127.0.0.1:${await noHealth.addInsecurePort('127.0.0.1:0')}`;
  await noHealth.start();

  // Accepts TCP connections and never says a word of HTTP/2.
  const sockets = new Set<Socket>();
  const mute = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        mute.close(() => resolve());
      }),
  );
  silent = `127.0.0.1:${(mute.address() as { port: number }).port}`;

  // A port that was just free: nothing listens there.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closed = `127.0.0.1:${(gone.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
});

describe('runHealthProbe exit codes', () => {
  it('A75 0 when the server is SERVING', async () => {
    expect(await probe('--addr', plain)).toEqual({
      code: ProbeExit.SERVING,
      stdout: 'status: SERVING',
      stderr: '',
    });
    expect((await probe(`--addr=${plain}`, '--service', '', '--timeout', '2s')).code).toBe(0);
  });

  it('A75 grpc_health_probe spellings: one-dash flags and a host-less :port', async () => {
    const port = plain.split(':')[1];
    expect((await probe(`-addr=:${port}`, '-timeout', '500ms')).code).toBe(0);
  });

  it('A75 4 when the service is NOT_SERVING', async () => {
    expect(await probe('--addr', plain, '--service', 'down')).toEqual({
      code: ProbeExit.UNHEALTHY,
      stdout: '',
      stderr: 'service unhealthy (responded with "NOT_SERVING")',
    });
  });

  it('A75 3 (RPC failure) for an unknown service (NOT_FOUND) and for a server without health', async () => {
    expect(await probe('--addr', plain, '--service', 'nope')).toEqual({
      code: ProbeExit.RPC_FAILURE,
      stdout: '',
      stderr: 'error: health rpc failed: NOT_FOUND: Unknown service: "nope"',
    });
    expect(await probe('--addr', bare)).toEqual({
      code: ProbeExit.RPC_FAILURE,
      stdout: '',
      stderr:
        'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): UNIMPLEMENTED: Method not found!',
    });
  });

  it('A75 2 when the address accepts TCP but never speaks HTTP/2', async () => {
    expect(await probe('--addr', silent, '--timeout', '0.3')).toEqual({
      code: ProbeExit.CONNECTION_FAILURE,
      stdout: '',
      stderr: `timeout: failed to connect service "${silent}" within 0.3s`,
    });
  });

  it('A75 2 when nothing listens on the port, with the reason', async () => {
    expect(await probe('--addr', closed, '--timeout', '0.3')).toEqual({
      code: ProbeExit.CONNECTION_FAILURE,
      stdout: '',
      stderr: `error: failed to connect service "${closed}" (UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED ${closed}. Resolution note: )`,
    });
  });

  it('A75 1 for bad arguments', async () => {
    const bad = async (...argv: string[]) => {
      const result = await probe(...argv);
      expect(result.code).toBe(ProbeExit.INVALID_ARGUMENTS);
      expect(result.stdout).toBe('');
      return result.stderr.split('\n')[0];
    };
    expect(await bad()).toBe('error: --addr is required');
    expect(await bad('--addr', plain, '--bogus')).toMatch(/^error: Unknown option '--bogus'/);
    expect(await bad('-addr', plain, '-tls-no-verify')).toMatch(/^error: Unknown option '--tls-no-verify'/);
    expect(await bad('--addr', plain, '--service', '-x')).toMatch(
      /^error: Option '--service.*' argument is ambiguous/,
    );
    expect(await bad('--addr', plain, 'extra')).toMatch(/^error: Unexpected argument 'extra'/);
    expect(await bad('--addr')).toMatch(/^error: Option '--addr.*' argument missing/);
    expect(await bad('--addr', plain, '--timeout', '0')).toBe(
      'error: --timeout must be a positive duration (seconds, or 250ms/2s/1m), got "0"',
    );
    expect(await bad('--addr', plain, '--timeout', 'soon')).toBe(
      'error: --timeout must be a positive duration (seconds, or 250ms/2s/1m), got "soon"',
    );
    expect(await bad('--addr', plain, '--rpc-header', 'novalue')).toBe(
      'error: --rpc-header must be KEY:VALUE, got "novalue"',
    );
    expect(await bad('--addr', plain, '--rpc-header', 'bad key:v')).toMatch(/^error: --rpc-header: /);
    expect(await bad('--addr', tls, '--tls-client-cert', CLIENT_CERT)).toBe(
      'error: --tls-client-cert and --tls-client-key go together',
    );
    expect(await bad('--addr', tls, '--tls-ca-cert', '/nonexistent/ca.pem')).toMatch(
      /^error: ENOENT: no such file or directory, open '\/nonexistent\/ca.pem'/,
    );
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await probe('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: grpc-aio-health-probe --addr HOST:PORT/);
    expect(stdout).toContain(
      'Exit codes: 0 SERVING, 1 bad arguments, 2 connection failure, 3 RPC failure, 4 not SERVING.',
    );
  });

  it('sends --rpc-header as metadata', async () => {
    // A Check that answers SERVING only when the header arrived (keys are sent lower case).
    const srv = server();
    cleanups.push(() => srv.stop(null));
    const handlers = new HealthServicer().handlers();
    const check = handlers.Check!;
    srv.addRegisteredMethodHandlers('grpc.health.v1.Health', {
      Check: {
        ...check,
        unaryUnary: async (request, context) => {
          const token = context.invocationMetadata()?.get('authorization');
          return token === 'Bearer t0k3n'
            ? check.unaryUnary!(request, context)
            : { status: ServingStatus.NOT_SERVING };
        },
      },
    });
    const address = `127.0.0.1:${await srv.addInsecurePort('127.0.0.1:0')}`;
    await srv.start();
    expect((await probe('--addr', address)).code).toBe(ProbeExit.UNHEALTHY);
    expect((await probe('--addr', address, '--rpc-header', 'Authorization: Bearer t0k3n')).code).toBe(
      ProbeExit.SERVING,
    );
  });
});

describe('runHealthProbe when Check does not answer in time', () => {
  it('A75 3 (RPC failure) after --timeout', async () => {
    const srv = server();
    cleanups.push(() => srv.stop(null));
    const check = new HealthServicer().handlers().Check!;
    srv.addRegisteredMethodHandlers('grpc.health.v1.Health', {
      Check: {
        ...check,
        // Answers only when the RPC is over (the deadline cancels it).
        unaryUnary: (_request, context) =>
          new Promise((resolve) => context.signal.addEventListener('abort', () => resolve({ status: 1 }))),
      },
    });
    const address = `127.0.0.1:${await srv.addInsecurePort('127.0.0.1:0')}`;
    await srv.start();
    expect(await probe('--addr', address, '--timeout', '200ms')).toEqual({
      code: ProbeExit.RPC_FAILURE,
      stdout: '',
      stderr: 'timeout: health rpc did not complete within 0.2s',
    });
  });
});

describe('runHealthProbe over TLS', () => {
  it('A75 0 with --tls-ca-cert; --tls-server-name checks another name', async () => {
    expect((await probe('--addr', tls, '--tls-ca-cert', CA)).code).toBe(ProbeExit.SERVING);
    expect(
      (await probe('--addr', tls, '--tls', '--tls-ca-cert', CA, '--tls-server-name', 'localhost')).code,
    ).toBe(ProbeExit.SERVING);
    expect(
      (await probe('--addr', tls, '--tls-ca-cert', CA, '--tls-server-name', 'other.test', '--timeout', '0.3'))
        .code,
    ).toBe(ProbeExit.CONNECTION_FAILURE);
  });

  it('A75 2 when the server certificate does not verify (wrong CA, or plaintext to a TLS port)', async () => {
    const wrongCa = await probe('--addr', tls, '--tls-ca-cert', OTHER_CA, '--timeout', '0.3');
    expect(wrongCa.code).toBe(ProbeExit.CONNECTION_FAILURE);
    expect(wrongCa.stderr).toMatch(/^error: failed to connect service ".*" \(UNAVAILABLE: .*certificate/);
    const plaintext = await probe('--addr', tls, '--timeout', '0.3');
    expect(plaintext.code).toBe(ProbeExit.CONNECTION_FAILURE);
    expect(plaintext.stderr).toMatch(/^(error|timeout): failed to connect service/);
  });

  it('A75 mutual TLS: 0 with the client certificate, 2 without', async () => {
    expect(
      (
        await probe(
          '--addr',
          mtls,
          '--tls-ca-cert',
          CA,
          '--tls-client-cert',
          CLIENT_CERT,
          '--tls-client-key',
          CLIENT_KEY,
        )
      ).code,
    ).toBe(ProbeExit.SERVING);
    expect((await probe('--addr', mtls, '--tls-ca-cert', CA, '--timeout', '0.3')).code).toBe(
      ProbeExit.CONNECTION_FAILURE,
    );
  });
});

describe('the bin (bin/grpc-aio-health-probe.mjs, which runs the built dist/cli.mjs)', () => {
  const bin = fileURLToPath(new URL('../bin/grpc-aio-health-probe.mjs', import.meta.url));
  const run = async (file: string, args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(file, args, { timeout: 15_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout: string; stderr: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('A75 runs through its shebang and exits with the probe codes', async () => {
    const help = await run(bin, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: grpc-aio-health-probe/);
    expect(await run(process.execPath, [bin, '--addr', plain])).toEqual({
      code: 0,
      stdout: 'status: SERVING\n',
      stderr: '',
    });
    expect(await run(process.execPath, [bin, '--addr', plain, '--service', 'down'])).toEqual({
      code: 4,
      stdout: '',
      stderr: 'service unhealthy (responded with "NOT_SERVING")\n',
    });
    expect(
      await run(process.execPath, [
        bin,
        '--addr',
        mtls,
        '--tls-ca-cert',
        CA,
        '--tls-client-cert',
        CLIENT_CERT,
        '--tls-client-key',
        CLIENT_KEY,
      ]),
    ).toMatchObject({ code: 0 });
    expect(await run(process.execPath, [bin, '--addr', silent, '--timeout', '0.3'])).toMatchObject({
      code: 2,
    });
    expect(await run(process.execPath, [bin])).toMatchObject({ code: 1 });
    // The CommonJS build of the program runs as well.
    const cjs = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
    expect(await run(process.execPath, [cjs, '--addr', plain])).toEqual({
      code: 0,
      stdout: 'status: SERVING\n',
      stderr: '',
    });
  });
});
