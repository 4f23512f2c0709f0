// TLS failures: a wrong CA, an expired server certificate and a missing client certificate under
// mutual TLS are rejected with UNAVAILABLE and a readable detail; the right setup works.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureChannel, sslChannelCredentials } from '@grpc-aio/channel';
import { type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import {
  methodHandlersGenericHandler,
  server,
  sslServerCredentials,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
import { caCert, clientCert, clientKey, otherCaCert, serverCert, serverKey } from '@grpc-aio/test-fixtures';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const servers: Server[] = [];
const channels: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) await channel.close();
});
afterAll(async () => {
  for (const srv of servers.splice(0)) await srv.stop(null);
});

async function tlsServer(key: Buffer, chain: Buffer, clientRoot?: Buffer): Promise<number> {
  const srv = server();
  srv.addGenericRpcHandlers([
    methodHandlersGenericHandler('t.T', { Echo: unaryUnaryRpcMethodHandler(async (req: Buffer) => req) }),
  ]);
  servers.push(srv);
  const port = await srv.addSecurePort(
    '127.0.0.1:0',
    sslServerCredentials(
      [{ privateKey: key, certificateChain: chain }],
      clientRoot ?? null,
      clientRoot !== undefined,
    ),
  );
  await srv.start();
  return port;
}

async function echoOver(
  port: number,
  credentials: ReturnType<typeof sslChannelCredentials>,
): Promise<Buffer | AioRpcError> {
  const channel = secureChannel(`localhost:${port}`, credentials);
  channels.push(channel);
  try {
    return (await channel.unaryUnary('/t.T/Echo')(Buffer.from('hi'), { timeout: 5 })) as Buffer;
  } catch (error) {
    if (error instanceof AioRpcError) return error;
    throw error;
  }
}

function failure(result: Buffer | AioRpcError): [StatusCode, string] {
  if (!(result instanceof AioRpcError)) throw new Error('expected the call to fail');
  return [result.code(), result.details() ?? ''];
}

describe('server TLS', () => {
  let port: number;
  beforeAll(async () => {
    port = await tlsServer(serverKey, serverCert);
  });

  it('A2 A71 the right CA works (control)', async () => {
    expect(await echoOver(port, sslChannelCredentials(caCert))).toEqual(Buffer.from('hi'));
  });

  it('A2 A71 a wrong CA: UNAVAILABLE naming the certificate problem', async () => {
    const [code, details] = failure(await echoOver(port, sslChannelCredentials(otherCaCert)));
    expect(code).toBe(StatusCode.UNAVAILABLE);
    expect(details).toMatch(
      /^No connection established\. Last error: Error: unable to verify the first certificate\./,
    );
  });
});

describe('mutual TLS', () => {
  let port: number;
  beforeAll(async () => {
    port = await tlsServer(serverKey, serverCert, caCert);
  });

  it('A2 A71 with the client certificate (control)', async () => {
    expect(await echoOver(port, sslChannelCredentials(caCert, clientKey, clientCert))).toEqual(
      Buffer.from('hi'),
    );
  });

  it('A2 A71 without a client certificate: UNAVAILABLE with a readable detail', async () => {
    const [code, details] = failure(await echoOver(port, sslChannelCredentials(caCert)));
    expect(code).toBe(StatusCode.UNAVAILABLE);
    expect(details).toMatch(/^No connection established\. Last error: .*alert certificate required/);
  });
});

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
const noOpenssl =
  openssl.error || openssl.status !== 0 ? 'openssl not available to make an expired certificate' : '';

describe.skipIf(noOpenssl)(
  `an expired server certificate${noOpenssl ? ` (skipped: ${noOpenssl})` : ''}`,
  () => {
    let dir: string;
    let ca: Buffer;
    let port: number;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'grpc-aio-expired-'));
      const run = (args: string[]) => {
        const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
      };
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      run([
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        '/CN=expired test CA',
      ]);
      run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
      spawnSync('sh', ['-c', "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext"], {
        cwd: dir,
      });
      // -days -1: notAfter a day before notBefore, so the certificate is already expired.
      run([
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'server.pem',
        '-days',
        '-1',
        '-extfile',
        'server.ext',
      ]);
      ca = readFileSync(join(dir, 'ca.pem'));
      port = await tlsServer(readFileSync(join(dir, 'server.key')), readFileSync(join(dir, 'server.pem')));
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('A2 A71 UNAVAILABLE saying the certificate has expired', async () => {
      const [code, details] = failure(await echoOver(port, sslChannelCredentials(ca)));
      expect(code).toBe(StatusCode.UNAVAILABLE);
      expect(details).toMatch(/^No connection established\. Last error: Error: certificate has expired\./);
    });
  },
);
