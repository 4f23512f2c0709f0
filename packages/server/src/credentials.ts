import type { SecureContextOptions } from 'node:tls';
import type { ServerCredentials } from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { reportCallbackError } from '@grpc-aio/errors/internal';

// Server credentials, as the server's own transport uses them (node:tls options). Shared by every
// copy of this package, so credentials made by one copy work with a server of another.
const SPEC = Symbol.for('@grpc-aio/server.credentialsSpec');

/**
 * Logged (`console.error`, followed by what the fetcher threw or what is wrong with what it
 * returned) when the certificate configuration fetcher of {@link dynamicSslServerCredentials}
 * fails; the current certificates stay in use.
 */
export const CERTIFICATE_FETCH_FAILED =
  'Error fetching the certificate configuration; keeping the current certificates:';

/** A private key and its certificate chain, PEM-encoded. */
export interface PrivateKeyCertificateChainPair {
  readonly privateKey: string | Uint8Array;
  readonly certificateChain: string | Uint8Array;
}

/**
 * Certificates for dynamic credentials (Python's `grpc.ServerCertificateConfiguration`): made by
 * {@link sslServerCertificateConfiguration}, returned by a fetcher.
 */
export interface ServerCertificateConfiguration {
  readonly certificateConfigurationKind: 'server';
}

/** How a local port checks its peers (Python's `grpc.LocalConnectionType`). */
export const LocalConnectionType = Object.freeze({ UDS: 0, LOCAL_TCP: 1 } as const);
export type LocalConnectionType = (typeof LocalConnectionType)[keyof typeof LocalConnectionType];

/** The TLS material of one certificate configuration. */
export interface TlsMaterial {
  readonly pairs: readonly { readonly key: Buffer; readonly cert: Buffer }[];
  readonly roots: Buffer | undefined;
}

/** What a port's credentials ask of its listener. */
export type CredentialsSpec =
  | { readonly kind: 'insecure' }
  | { readonly kind: 'local'; readonly connectionType: LocalConnectionType }
  | { readonly kind: 'ssl'; readonly material: TlsMaterial; readonly requireClientAuth: boolean }
  | {
      readonly kind: 'dynamic';
      readonly initial: TlsMaterial;
      readonly fetch: () => TlsMaterial | undefined;
      readonly requireClientAuth: boolean;
    };

const CONFIGURATION = Symbol.for('@grpc-aio/server.certificateConfiguration');

function make(secure: boolean, spec: CredentialsSpec): ServerCredentials {
  return Object.freeze({ credentialsKind: 'server' as const, secure, [SPEC]: spec });
}

function pem(value: unknown, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(
    `${what} must be a PEM string or bytes, got ${value === null ? 'null' : typeof value}.`,
  );
}

/** The keys of a {@link PrivateKeyCertificateChainPair}: anything else is refused. */
const PAIR_KEYS = new Set(['privateKey', 'certificateChain']);

function pairHint(key: string): string | undefined {
  // grpc-js's KeyCertPair spells them so.
  if (key === 'private_key') return "grpc-js's private_key is privateKey";
  if (key === 'cert_chain') return "grpc-js's cert_chain is certificateChain";
  return undefined;
}

function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${typeof value}.`);
  return value;
}

function material(pairs: unknown, rootCertificates: unknown): TlsMaterial {
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new TypeError('At least one private key-certificate chain pair is required.');
  }
  const checked = pairs.map((pair: unknown, index) => {
    if (Array.isArray(pair)) {
      return {
        key: pem(pair[0], `Pair ${index} private key`),
        cert: pem(pair[1], `Pair ${index} certificate chain`),
      };
    }
    if (typeof pair !== 'object' || pair === null) {
      throw new TypeError(`Pair ${index} must be { privateKey, certificateChain }.`);
    }
    rejectUnknownOptions(`Pair ${index}`, pair, PAIR_KEYS, pairHint);
    const { privateKey, certificateChain } = pair as Partial<PrivateKeyCertificateChainPair>;
    return {
      key: pem(privateKey, `Pair ${index} privateKey`),
      cert: pem(certificateChain, `Pair ${index} certificateChain`),
    };
  });
  return {
    pairs: checked,
    roots: rootCertificates == null ? undefined : pem(rootCertificates, 'rootCertificates'),
  };
}

type Pairs = readonly (
  | PrivateKeyCertificateChainPair
  | readonly [string | Uint8Array, string | Uint8Array]
)[];

/**
 * TLS credentials for a server port (Python's `grpc.ssl_server_credentials`).
 *
 * @param privateKeyCertificateChainPairs at least one `{ privateKey, certificateChain }` (PEM); a
 *   `[privateKey, certificateChain]` tuple, Python's form, is accepted too.
 * @param rootCertificates PEM root certificates to verify client certificates with.
 * @param requireClientAuth require and verify a client certificate (mutual TLS); needs
 *   `rootCertificates`.
 * @throws TypeError for a missing pair, a pair of the wrong shape (or with a key other than
 *   `privateKey` and `certificateChain`), a `requireClientAuth` that is not a boolean, or
 *   `requireClientAuth` without root certificates.
 */
export function sslServerCredentials(
  privateKeyCertificateChainPairs: Pairs,
  rootCertificates?: string | Uint8Array | null,
  requireClientAuth = false,
): ServerCredentials {
  const tls = material(privateKeyCertificateChainPairs, rootCertificates);
  if (checkBoolean(requireClientAuth, 'requireClientAuth') && tls.roots === undefined) {
    throw new TypeError('requireClientAuth needs rootCertificates to verify client certificates with.');
  }
  return make(true, { kind: 'ssl', material: tls, requireClientAuth });
}

/** Credentials for a plaintext port (Python's `grpc.insecure_server_credentials`). */
export function insecureServerCredentials(): ServerCredentials {
  return make(false, { kind: 'insecure' });
}

/**
 * Credentials for a port that only local clients may use (Python's `grpc.local_server_credentials`):
 * the connection is plaintext, and a client that is not on this machine (a TCP peer outside the
 * loopback range, for `LOCAL_TCP`; anything but a Unix socket, for `UDS`) is disconnected at once.
 * Handlers see `transport_security_type: ['local']` in `authContext()`.
 */
export function localServerCredentials(
  localConnectType: LocalConnectionType = LocalConnectionType.LOCAL_TCP,
): ServerCredentials {
  if (localConnectType !== LocalConnectionType.UDS && localConnectType !== LocalConnectionType.LOCAL_TCP) {
    throw new TypeError(`Unknown local connection type: ${String(localConnectType)}.`);
  }
  return make(false, { kind: 'local', connectionType: localConnectType });
}

/**
 * One set of certificates for {@link dynamicSslServerCredentials} (Python's
 * `grpc.ssl_server_certificate_configuration`).
 * @throws TypeError as {@link sslServerCredentials}.
 */
export function sslServerCertificateConfiguration(
  privateKeyCertificateChainPairs: Pairs,
  rootCertificates?: string | Uint8Array | null,
): ServerCertificateConfiguration {
  return Object.freeze({
    certificateConfigurationKind: 'server' as const,
    [CONFIGURATION]: material(privateKeyCertificateChainPairs, rootCertificates),
  });
}

function configurationMaterial(value: unknown, what: string): TlsMaterial {
  const found =
    typeof value === 'object' && value !== null
      ? (value as { [CONFIGURATION]?: TlsMaterial })[CONFIGURATION]
      : undefined;
  if (found === undefined) {
    throw new TypeError(`${what} must come from sslServerCertificateConfiguration().`);
  }
  return found;
}

/**
 * TLS credentials whose certificates can change while the server runs (Python's
 * `grpc.dynamic_ssl_server_credentials`): before each TLS handshake the fetcher is called; a
 * configuration it returns is used from that handshake on, `null`/`undefined` keeps the current
 * one. A fetcher that throws or returns something else keeps the current one too; the error is logged
 * with `console.error`, as the errors of other callbacks (done callbacks) are.
 *
 * @throws TypeError for a bad initial configuration, a fetcher that is not a function, or a
 *   `requireClientAuthentication` that is not a boolean.
 */
export function dynamicSslServerCredentials(
  initialCertificateConfiguration: ServerCertificateConfiguration,
  certificateConfigurationFetcher: () => ServerCertificateConfiguration | null | undefined,
  requireClientAuthentication = false,
): ServerCredentials {
  const initial = configurationMaterial(
    initialCertificateConfiguration,
    'The initial certificate configuration',
  );
  if (typeof certificateConfigurationFetcher !== 'function') {
    throw new TypeError('The certificate configuration fetcher must be a function.');
  }
  if (
    checkBoolean(requireClientAuthentication, 'requireClientAuthentication') &&
    initial.roots === undefined
  ) {
    throw new TypeError('requireClientAuth needs rootCertificates to verify client certificates with.');
  }
  const fetch = (): TlsMaterial | undefined => {
    try {
      const fetched: unknown = certificateConfigurationFetcher();
      if (fetched == null) return undefined;
      return configurationMaterial(fetched, 'A fetched certificate configuration');
    } catch (error) {
      reportCallbackError(CERTIFICATE_FETCH_FAILED, error);
      return undefined;
    }
  };
  return make(true, { kind: 'dynamic', initial, fetch, requireClientAuth: requireClientAuthentication });
}

/**
 * What the transport needs of `credentials`.
 * @throws TypeError for anything not made by this package's credential functions.
 */
export function credentialsSpec(credentials: unknown): CredentialsSpec {
  const spec =
    typeof credentials === 'object' && credentials !== null
      ? (credentials as { [SPEC]?: CredentialsSpec })[SPEC]
      : undefined;
  if (spec === undefined) {
    throw new TypeError(
      'Server credentials must come from sslServerCredentials(), dynamicSslServerCredentials(), localServerCredentials() or insecureServerCredentials().',
    );
  }
  return spec;
}

/** node:tls options for one certificate configuration. */
export function secureContextOptions(tls: TlsMaterial): SecureContextOptions {
  return {
    key: tls.pairs.map((pair) => pair.key),
    cert: tls.pairs.map((pair) => pair.cert),
    ...(tls.roots === undefined ? {} : { ca: tls.roots }),
  };
}
