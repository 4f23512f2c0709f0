import * as grpc from '@grpc/grpc-js';
import type { ServerCredentials } from '@grpc-aio/core';

// Shared by every copy of this package, so credentials made by one copy work with a server of another.
const GRPC_JS = Symbol.for('@grpc-aio/server.grpcJsServerCredentials');

function make(secure: boolean, credentials: grpc.ServerCredentials): ServerCredentials {
  return Object.freeze({ credentialsKind: 'server' as const, secure, [GRPC_JS]: credentials });
}

/** A private key and its certificate chain, PEM-encoded. */
export interface PrivateKeyCertificateChainPair {
  readonly privateKey: string | Uint8Array;
  readonly certificateChain: string | Uint8Array;
}

function pem(value: unknown, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(
    `${what} must be a PEM string or bytes, got ${value === null ? 'null' : typeof value}.`,
  );
}

/**
 * TLS credentials for a server port (Python's `grpc.ssl_server_credentials`).
 *
 * @param privateKeyCertificateChainPairs at least one `{ privateKey, certificateChain }` (PEM); a
 *   `[privateKey, certificateChain]` tuple, Python's form, is accepted too.
 * @param rootCertificates PEM root certificates to verify client certificates with.
 * @param requireClientAuth require and verify a client certificate (mutual TLS); needs
 *   `rootCertificates`.
 * @throws TypeError for a missing pair, a pair of the wrong shape, or `requireClientAuth` without
 *   root certificates.
 */
export function sslServerCredentials(
  privateKeyCertificateChainPairs: readonly (
    | PrivateKeyCertificateChainPair
    | readonly [string | Uint8Array, string | Uint8Array]
  )[],
  rootCertificates?: string | Uint8Array | null,
  requireClientAuth = false,
): ServerCredentials {
  if (!Array.isArray(privateKeyCertificateChainPairs) || privateKeyCertificateChainPairs.length === 0) {
    throw new TypeError('At least one private key-certificate chain pair is required.');
  }
  const keyCertPairs = privateKeyCertificateChainPairs.map((pair: unknown, index) => {
    if (Array.isArray(pair)) {
      return {
        private_key: pem(pair[0], `Pair ${index} private key`),
        cert_chain: pem(pair[1], `Pair ${index} certificate chain`),
      };
    }
    if (typeof pair !== 'object' || pair === null) {
      throw new TypeError(`Pair ${index} must be { privateKey, certificateChain }.`);
    }
    const { privateKey, certificateChain } = pair as Partial<PrivateKeyCertificateChainPair>;
    return {
      private_key: pem(privateKey, `Pair ${index} privateKey`),
      cert_chain: pem(certificateChain, `Pair ${index} certificateChain`),
    };
  });
  const roots = rootCertificates == null ? null : pem(rootCertificates, 'rootCertificates');
  if (requireClientAuth && roots === null) {
    throw new TypeError('requireClientAuth needs rootCertificates to verify client certificates with.');
  }
  return make(true, grpc.ServerCredentials.createSsl(roots, keyCertPairs, requireClientAuth));
}

/** Credentials for a plaintext port (Python's `grpc.insecure_server_credentials`). */
export function insecureServerCredentials(): ServerCredentials {
  return make(false, grpc.ServerCredentials.createInsecure());
}

function notSupported(name: string): never {
  throw new Error(
    `${name}() is not supported on grpc-js: use sslServerCredentials() or insecureServerCredentials().`,
  );
}

/**
 * Python's `grpc.local_server_credentials`. Not supported: grpc-js has no local credentials.
 * @throws Error always.
 */
export function localServerCredentials(..._args: unknown[]): never {
  return notSupported('localServerCredentials');
}

/**
 * Python's `grpc.ssl_server_certificate_configuration` (for dynamic credentials). Not supported.
 * @throws Error always.
 */
export function sslServerCertificateConfiguration(..._args: unknown[]): never {
  return notSupported('sslServerCertificateConfiguration');
}

/**
 * Python's `grpc.dynamic_ssl_server_credentials`. Not supported: grpc-js cannot fetch certificates
 * per handshake through this API.
 * @throws Error always.
 */
export function dynamicSslServerCredentials(..._args: unknown[]): never {
  return notSupported('dynamicSslServerCredentials');
}

/**
 * The grpc-js credentials behind `credentials` (ours, or a grpc-js `ServerCredentials` passed as is).
 * @throws TypeError for anything else.
 */
export function toGrpcJsServerCredentials(credentials: unknown): grpc.ServerCredentials {
  if (credentials instanceof grpc.ServerCredentials) return credentials;
  const inner =
    typeof credentials === 'object' && credentials !== null
      ? (credentials as { [GRPC_JS]?: grpc.ServerCredentials })[GRPC_JS]
      : undefined;
  if (inner === undefined) {
    throw new TypeError(
      'Server credentials must come from sslServerCredentials() or insecureServerCredentials().',
    );
  }
  return inner;
}
