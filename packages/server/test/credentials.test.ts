import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { bytes, newClient as plainClient, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it, vi } from 'vitest';
import { CERTIFICATE_FETCH_FAILED } from '../src/credentials.js';
import {
  dynamicSslServerCredentials,
  insecureServerCredentials,
  LocalConnectionType,
  localServerCredentials,
  methodHandlersGenericHandler,
  server,
  sslServerCertificateConfiguration,
  sslServerCredentials,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import {
  caCert,
  clientCert,
  clientKey,
  otherCaCert,
  otherServerCert,
  otherServerKey,
  serverCert,
  serverKey,
} from './fixtures.js';
import { track } from './helpers.js';

// The certificates name localhost; connecting to 127.0.0.1 with that name keeps Node quiet (RFC 6066).
const newClient = (port: number, credentials: grpc.ChannelCredentials) =>
  plainClient(port, credentials, {
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': 'localhost',
  });

interface Seen {
  identities: string[] | undefined;
  key: string | undefined;
  auth: Record<string, string[]>;
}

async function tlsServer(requireClientAuth: boolean) {
  let seen: Seen | undefined;
  const srv = track(
    server({
      handlers: [
        methodHandlersGenericHandler('t.S', {
          Who: unaryUnaryRpcMethodHandler(
            (_r: string, context) => {
              const auth = context.authContext();
              seen = {
                identities: context.peerIdentities()?.map((v) => Buffer.from(v).toString()),
                key: context.peerIdentityKey(),
                auth: Object.fromEntries(
                  Object.entries(auth)
                    .filter(([key]) => key !== 'x509_pem_cert')
                    .map(([key, values]) => [key, values.map((v) => Buffer.from(v).toString())]),
                ),
              };
              return 'ok';
            },
            text,
            bytes,
          ),
        }),
      ],
    }),
  );
  const credentials = requireClientAuth
    ? sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }], caCert, true)
    : sslServerCredentials([[serverKey, serverCert]]);
  const port = await srv.addSecurePort('127.0.0.1:0', credentials);
  await srv.start();
  return { port, seen: () => seen };
}

describe('server credentials', () => {
  it('A71 A58 mTLS: peer identity and auth context come from the client certificate', async () => {
    const { port, seen } = await tlsServer(true);
    const client = newClient(port, grpc.credentials.createSsl(caCert, clientKey, clientCert));
    const outcome = await unary(client, '/t.S/Who', 'x');
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(seen()).toEqual({
      identities: ['client.test'],
      key: 'x509_subject_alternative_name',
      auth: {
        transport_security_type: ['ssl'],
        security_level: ['TSI_PRIVACY_AND_INTEGRITY'],
        x509_common_name: ['grpc-aio test client'],
        x509_subject_alternative_name: ['client.test'],
      },
    });
  });

  it('A71 mTLS refuses a client without a certificate', async () => {
    const { port } = await tlsServer(true);
    const client = newClient(port, grpc.credentials.createSsl(caCert));
    const outcome = await unary(client, '/t.S/Who', 'x', { timeout: 5 });
    expect(outcome.status.code).toBe(StatusCode.UNAVAILABLE);
  });

  it('A71 A58 TLS without a client certificate: secure, but no peer identity', async () => {
    const { port, seen } = await tlsServer(false);
    const client = newClient(port, grpc.credentials.createSsl(caCert));
    expect((await unary(client, '/t.S/Who', 'x')).status.code).toBe(StatusCode.OK);
    expect(seen()).toEqual({
      identities: undefined,
      key: undefined,
      auth: { transport_security_type: ['ssl'], security_level: ['TSI_PRIVACY_AND_INTEGRITY'] },
    });
    const wrongCa = newClient(port, grpc.credentials.createSsl(otherCaCert));
    expect((await unary(wrongCa, '/t.S/Who', 'x', { timeout: 5 })).status.code).toBe(StatusCode.UNAVAILABLE);
  });

  it('A71 bad arguments and unsupported credentials are clear errors', async () => {
    expect(() => sslServerCredentials([])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: At least one private key-certificate chain pair is required.]`,
    );
    expect(() => sslServerCredentials([{ privateKey: 1 } as never])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Pair 0 privateKey must be a PEM string or bytes, got number.]`,
    );
    expect(() =>
      sslServerCredentials([{ privateKey: serverKey, certificateChain: serverCert }], null, true),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requireClientAuth needs rootCertificates to verify client certificates with.]`,
    );
    expect(() => localServerCredentials(7 as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Unknown local connection type: 7.]`,
    );
    expect(() => dynamicSslServerCredentials({} as never, () => null)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: The initial certificate configuration must come from sslServerCertificateConfiguration().]`,
    );
    expect(() =>
      dynamicSslServerCredentials(sslServerCertificateConfiguration([[serverKey, serverCert]]), 'x' as never),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: The certificate configuration fetcher must be a function.]`,
    );
    expect(() => sslServerCertificateConfiguration([])).toThrow(
      'At least one private key-certificate chain pair',
    );
    // grpc-js's KeyCertPair spelling is refused, naming the key, and so is a non-boolean flag.
    expect(() =>
      sslServerCredentials([{ private_key: serverKey, cert_chain: serverCert } as never]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Pair 0 does not take the option 'private_key' (grpc-js's private_key is privateKey); it takes 'privateKey', 'certificateChain'.]`,
    );
    expect(() =>
      sslServerCredentials([[serverKey, serverCert]], null, { requireClientAuth: true } as never),
    ).toThrowErrorMatchingInlineSnapshot(`[TypeError: requireClientAuth must be a boolean, got object.]`);
    expect(() =>
      dynamicSslServerCredentials(
        sslServerCertificateConfiguration([[serverKey, serverCert]]),
        () => null,
        'true' as never,
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requireClientAuthentication must be a boolean, got string.]`,
    );
    expect(insecureServerCredentials()).toMatchObject({ credentialsKind: 'server', secure: false });
    const srv = track(server());
    await expect(srv.addSecurePort('127.0.0.1:0', {} as never)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Server credentials must come from sslServerCredentials(), dynamicSslServerCredentials(), localServerCredentials() or insecureServerCredentials().]`,
    );
  });
});

describe('server credentials on the native transport', () => {
  const whoServer = (configure: (srv: ReturnType<typeof server>) => Promise<number>) => {
    const srv = track(
      server({
        handlers: [
          methodHandlersGenericHandler('t.S', {
            Who: unaryUnaryRpcMethodHandler(
              (_r: string, context) =>
                Buffer.from(context.authContext().transport_security_type?.[0] ?? []).toString(),
              text,
              bytes,
            ),
          }),
        ],
      }),
    );
    return configure(srv).then(async (port) => {
      await srv.start();
      return port;
    });
  };

  it('A71 dynamicSslServerCredentials: the fetcher runs before each handshake; a new configuration serves new connections', async () => {
    let fetches = 0;
    let rotated = false;
    const port = await whoServer((srv) =>
      srv.addSecurePort(
        '127.0.0.1:0',
        dynamicSslServerCredentials(sslServerCertificateConfiguration([[serverKey, serverCert]]), () => {
          fetches++;
          return rotated ? sslServerCertificateConfiguration([[otherServerKey, otherServerCert]]) : null;
        }),
      ),
    );
    const first = newClient(port, grpc.credentials.createSsl(caCert));
    expect((await unary(first, '/t.S/Who', 'x')).responses).toEqual(['ssl']);
    expect(fetches).toBe(1);
    rotated = true;
    const second = newClient(port, grpc.credentials.createSsl(otherCaCert));
    expect((await unary(second, '/t.S/Who', 'x')).responses).toEqual(['ssl']);
    const stale = newClient(port, grpc.credentials.createSsl(caCert));
    expect((await unary(stale, '/t.S/Who', 'x', { timeout: 5 })).status.code).toBe(StatusCode.UNAVAILABLE);
    // The connection made before the rotation still works.
    expect((await unary(first, '/t.S/Who', 'x')).status.code).toBe(StatusCode.OK);
  });

  it('A71 a fetcher that throws keeps the current certificates; the error is logged as callback errors are', async () => {
    const logged: unknown[][] = [];
    // Captured (not printed): the log line is what this test checks.
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void logged.push(args));
    const warnings: unknown[] = [];
    const emitWarning = vi
      .spyOn(process, 'emitWarning')
      .mockImplementation(((_message: string | Error, options?: { code?: string }) =>
        warnings.push(options?.code)) as typeof process.emitWarning);
    const vaultDown = new Error('vault down');
    try {
      const port = await whoServer((srv) =>
        srv.addSecurePort(
          '127.0.0.1:0',
          dynamicSslServerCredentials(sslServerCertificateConfiguration([[serverKey, serverCert]]), () => {
            throw vaultDown;
          }),
        ),
      );
      const client = newClient(port, grpc.credentials.createSsl(caCert));
      expect((await unary(client, '/t.S/Who', 'x')).responses).toEqual(['ssl']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).toContainEqual([CERTIFICATE_FETCH_FAILED, vaultDown]);
      expect(CERTIFICATE_FETCH_FAILED).toMatchInlineSnapshot(
        `"Error fetching the certificate configuration; keeping the current certificates:"`,
      );
      // Before, a process warning; callback errors now go one way.
      expect(warnings).not.toContain('GRPC_AIO_CERTIFICATE_FETCH_FAILED');
    } finally {
      error.mockRestore();
      emitWarning.mockRestore();
    }
  });

  it('A71 a fetcher that returns something else keeps the current certificates; the error is logged', async () => {
    const logged: unknown[][] = [];
    const error = vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      const port = await whoServer((srv) =>
        srv.addSecurePort(
          '127.0.0.1:0',
          dynamicSslServerCredentials(
            sslServerCertificateConfiguration([[serverKey, serverCert]]),
            () => ({ privateKey: serverKey }) as never,
          ),
        ),
      );
      const client = newClient(port, grpc.credentials.createSsl(caCert));
      expect((await unary(client, '/t.S/Who', 'x')).responses).toEqual(['ssl']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged.map(([message, reason]) => [message, String(reason)])).toContainEqual([
        CERTIFICATE_FETCH_FAILED,
        'TypeError: A fetched certificate configuration must come from sslServerCertificateConfiguration().',
      ]);
    } finally {
      error.mockRestore();
    }
  });

  it('A71 localServerCredentials: plaintext for local clients, "local" in the auth context; UDS needs a unix: address', async () => {
    const port = await whoServer((srv) => srv.addSecurePort('127.0.0.1:0', localServerCredentials()));
    const client = newClient(port, grpc.credentials.createInsecure());
    expect((await unary(client, '/t.S/Who', 'x')).responses).toEqual(['local']);
    const path = join(mkdtempSync(join(tmpdir(), 'grpc-aio-')), 'local.sock');
    await whoServer((srv) =>
      srv.addSecurePort(`unix:${path}`, localServerCredentials(LocalConnectionType.UDS)),
    );
    const unix = track(server());
    await expect(
      unix.addSecurePort('127.0.0.1:0', localServerCredentials(LocalConnectionType.UDS)),
    ).rejects.toThrow(
      'Failed to bind to address 127.0.0.1:0: local credentials of type UDS need a unix: address',
    );
    const unixClient = plainClient(0, grpc.credentials.createInsecure(), {}, `unix:${path}`);
    expect((await unary(unixClient, '/t.S/Who', 'x')).responses).toEqual(['local']);
  });

  it('A71 plaintext to a TLS port and TLS to a plaintext port fail with UNAVAILABLE; both ports keep serving', async () => {
    const tlsPort = await whoServer((srv) =>
      srv.addSecurePort('127.0.0.1:0', sslServerCredentials([[serverKey, serverCert]])),
    );
    const plainPort = await whoServer((srv) => srv.addInsecurePort('127.0.0.1:0'));
    const plainToTls = newClient(tlsPort, grpc.credentials.createInsecure());
    expect((await unary(plainToTls, '/t.S/Who', 'x', { timeout: 3 })).status.code).toBe(
      StatusCode.UNAVAILABLE,
    );
    const tlsToPlain = newClient(plainPort, grpc.credentials.createSsl(caCert));
    expect((await unary(tlsToPlain, '/t.S/Who', 'x', { timeout: 3 })).status.code).toBe(
      StatusCode.UNAVAILABLE,
    );
    expect(
      (await unary(newClient(tlsPort, grpc.credentials.createSsl(caCert)), '/t.S/Who', 'x')).responses,
    ).toEqual(['ssl']);
    expect((await unary(plainClient(plainPort), '/t.S/Who', 'x')).responses).toEqual(['insecure']);
  });

  it('A71 ALPN is h2 only: a TLS client offering http/1.1 alone is disconnected', async () => {
    const port = await whoServer((srv) =>
      srv.addSecurePort('127.0.0.1:0', sslServerCredentials([[serverKey, serverCert]])),
    );
    const socket = tlsConnect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: caCert,
      ALPNProtocols: ['http/1.1'],
    });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.alpnProtocol).toBeFalsy();
  });
});
