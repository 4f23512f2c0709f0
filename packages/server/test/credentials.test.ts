import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { describe, expect, it } from 'vitest';
import {
  dynamicSslServerCredentials,
  insecureServerCredentials,
  localServerCredentials,
  methodHandlersGenericHandler,
  server,
  sslServerCertificateConfiguration,
  sslServerCredentials,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { caCert, clientCert, clientKey, otherCaCert, serverCert, serverKey } from './fixtures.js';
import { decode, encode, newClient as plainClient, track, unary } from './helpers.js';

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
            decode,
            encode,
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
    expect(insecureServerCredentials()).toMatchObject({ credentialsKind: 'server', secure: false });
    const srv = track(server());
    await expect(srv.addSecurePort('127.0.0.1:0', {} as never)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Server credentials must come from sslServerCredentials(), dynamicSslServerCredentials(), localServerCredentials() or insecureServerCredentials().]`,
    );
  });
});
