import {
  type CallCredentials as GrpcJsCallCredentials,
  type ChannelCredentials as GrpcJsChannelCredentials,
  credentials as grpcJsCredentials,
} from '@grpc/grpc-js';
import type { CallCredentials, ChannelCredentials } from '@grpc-aio/core';
import { UsageError } from '@grpc-aio/errors';
import type { MetadataLike } from '@grpc-aio/metadata';
import { toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';

/** The message of the error the credential kinds grpc-js lacks throw. */
function notSupportedOnGrpcJs(name: string): string {
  return `${name} is not supported on grpc-js.`;
}

const GRPC_JS = Symbol('grpcJs');

/** Channel credentials holding their grpc-js counterpart. */
class GrpcJsBackedChannelCredentials implements ChannelCredentials {
  readonly credentialsKind = 'channel' as const;
  readonly secure: boolean;
  readonly [GRPC_JS]: GrpcJsChannelCredentials;

  constructor(secure: boolean, credentials: GrpcJsChannelCredentials) {
    this.secure = secure;
    this[GRPC_JS] = credentials;
  }

  toString(): string {
    return this.secure ? '<ChannelCredentials secure>' : '<ChannelCredentials insecure>';
  }
}

/** Call credentials holding their grpc-js counterpart. */
class GrpcJsBackedCallCredentials implements CallCredentials {
  readonly credentialsKind = 'call' as const;
  readonly [GRPC_JS]: GrpcJsCallCredentials;

  constructor(credentials: GrpcJsCallCredentials) {
    this[GRPC_JS] = credentials;
  }

  toString(): string {
    return '<CallCredentials>';
  }
}

/** The grpc-js object behind channel credentials made by this package. */
export function grpcJsChannelCredentials(credentials: ChannelCredentials): GrpcJsChannelCredentials {
  if (!(credentials instanceof GrpcJsBackedChannelCredentials)) {
    throw new TypeError(
      'Channel credentials must come from sslChannelCredentials(), compositeChannelCredentials() or insecureChannelCredentials().',
    );
  }
  return credentials[GRPC_JS];
}

/** The grpc-js object behind call credentials made by this package. */
export function grpcJsCallCredentials(credentials: CallCredentials): GrpcJsCallCredentials {
  if (!(credentials instanceof GrpcJsBackedCallCredentials)) {
    throw new TypeError(
      'Call credentials must come from metadataCallCredentials(), accessTokenCallCredentials() or compositeCallCredentials().',
    );
  }
  return credentials[GRPC_JS];
}

type Pem = Uint8Array | string;

function toBuffer(value: Pem | null | undefined, name: string): Buffer | null {
  if (value == null) return null;
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${name} must be PEM bytes (Uint8Array/Buffer) or a string.`);
}

/**
 * TLS channel credentials (Python's `grpc.ssl_channel_credentials`).
 * @param rootCertificates PEM root certificates; the system's roots when omitted.
 * @param privateKey PEM client private key, for mutual TLS.
 * @param certificateChain PEM client certificate chain, for mutual TLS.
 */
export function sslChannelCredentials(
  rootCertificates?: Pem | null,
  privateKey?: Pem | null,
  certificateChain?: Pem | null,
): ChannelCredentials {
  const root = toBuffer(rootCertificates, 'rootCertificates');
  const key = toBuffer(privateKey, 'privateKey');
  const chain = toBuffer(certificateChain, 'certificateChain');
  if ((key === null) !== (chain === null)) {
    throw new TypeError('privateKey and certificateChain must be given together.');
  }
  return new GrpcJsBackedChannelCredentials(true, grpcJsCredentials.createSsl(root, key, chain));
}

/**
 * Credentials for a plaintext channel (Python's `grpc.experimental.insecure_channel_credentials`).
 * Call credentials cannot be composed with them.
 */
export function insecureChannelCredentials(): ChannelCredentials {
  return new GrpcJsBackedChannelCredentials(false, grpcJsCredentials.createInsecure());
}

/** What a metadata plugin learns about the call it authenticates (Python's `AuthMetadataContext`). */
export interface AuthMetadataContext {
  /** The URL of the service, e.g. `https://host:port/package.Service`. */
  readonly serviceUrl: string;
  /** The method's name, e.g. `SayHello`. */
  readonly methodName: string;
}

/** The callback of a metadata plugin: metadata to attach, or an error to fail the call. */
export type AuthMetadataPluginCallback = (metadata: MetadataLike | null, error: Error | null) => void;

/**
 * A metadata plugin (Python's `AuthMetadataPlugin`): either calls `callback(metadata, error)`, or
 * (our addition) returns a promise of the metadata.
 */
export type AuthMetadataPlugin =
  | ((context: AuthMetadataContext, callback: AuthMetadataPluginCallback) => void)
  | ((
      context: AuthMetadataContext,
      callback: AuthMetadataPluginCallback,
    ) => PromiseLike<MetadataLike | null | undefined>);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

/**
 * Call credentials computed per call by `plugin` (Python's `grpc.metadata_call_credentials`).
 * A plugin error fails the call (grpc-js reports UNKNOWN, with the error's message in the details).
 * @param name a name for the plugin (kept for Python parity; unused by grpc-js).
 */
export function metadataCallCredentials(plugin: AuthMetadataPlugin, name?: string): CallCredentials {
  if (typeof plugin !== 'function') throw new TypeError('The metadata plugin must be a function.');
  void name;
  return new GrpcJsBackedCallCredentials(
    grpcJsCredentials.createFromMetadataGenerator((options, done) => {
      let settled = false;
      const callback: AuthMetadataPluginCallback = (metadata, error) => {
        if (settled) return;
        settled = true;
        if (error != null) {
          done(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        try {
          done(null, toGrpcJsMetadata(metadata));
        } catch (conversionError) {
          done(conversionError as Error);
        }
      };
      const context: AuthMetadataContext = Object.freeze({
        serviceUrl: options.service_url,
        // grpc-js passes the full path; Python's context has the bare method name.
        methodName: options.method_name.slice(options.method_name.lastIndexOf('/') + 1),
      });
      try {
        const result: unknown = plugin(context, callback);
        if (isThenable(result)) {
          result.then(
            (metadata: unknown) => {
              if (metadata !== undefined) callback(metadata as MetadataLike | null, null);
            },
            (error: unknown) => callback(null, error instanceof Error ? error : new Error(String(error))),
          );
        }
      } catch (error) {
        callback(null, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
}

/** Call credentials sending `authorization: Bearer <token>` (Python's `grpc.access_token_call_credentials`). */
export function accessTokenCallCredentials(token: string): CallCredentials {
  if (typeof token !== 'string') throw new TypeError('The access token must be a string.');
  return metadataCallCredentials((_context, callback) => {
    callback([['authorization', `Bearer ${token}`]], null);
  }, 'AccessTokenAuthMetadataPlugin');
}

/** Combines call credentials; each one's metadata is added, in order (Python's `grpc.composite_call_credentials`). */
export function compositeCallCredentials(...credentials: CallCredentials[]): CallCredentials {
  if (credentials.length < 2)
    throw new TypeError('compositeCallCredentials needs at least two call credentials.');
  let combined = grpcJsCallCredentials(credentials[0]!);
  for (const next of credentials.slice(1)) combined = combined.compose(grpcJsCallCredentials(next));
  return new GrpcJsBackedCallCredentials(combined);
}

/**
 * Channel credentials that also attach call credentials to every call (Python's
 * `grpc.composite_channel_credentials`).
 */
export function compositeChannelCredentials(
  channelCredentials: ChannelCredentials,
  ...callCredentials: CallCredentials[]
): ChannelCredentials {
  if (!channelCredentials.secure) {
    throw new TypeError('Call credentials can only be composed with secure channel credentials.');
  }
  let combined = grpcJsChannelCredentials(channelCredentials);
  for (const next of callCredentials) combined = combined.compose(grpcJsCallCredentials(next));
  return new GrpcJsBackedChannelCredentials(true, combined);
}

/** Not supported on grpc-js: throws UsageError (Python's `grpc.local_channel_credentials`). */
export function localChannelCredentials(_localConnectType?: unknown): ChannelCredentials {
  throw new UsageError(notSupportedOnGrpcJs('localChannelCredentials'));
}

/** Not supported on grpc-js: throws UsageError (Python's `grpc.alts_channel_credentials`). */
export function altsChannelCredentials(_serviceAccounts?: unknown): ChannelCredentials {
  throw new UsageError(notSupportedOnGrpcJs('altsChannelCredentials'));
}

/** Not supported on grpc-js: throws UsageError (Python's `grpc.compute_engine_channel_credentials`). */
export function computeEngineChannelCredentials(_callCredentials?: unknown): ChannelCredentials {
  throw new UsageError(notSupportedOnGrpcJs('computeEngineChannelCredentials'));
}

/** Not supported on grpc-js: throws UsageError (Python's `grpc.xds_channel_credentials`). */
export function xdsChannelCredentials(_fallbackCredentials?: unknown): ChannelCredentials {
  throw new UsageError(notSupportedOnGrpcJs('xdsChannelCredentials'));
}
