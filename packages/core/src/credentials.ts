/**
 * Opaque credential contracts. The channel and server packages make the concrete objects (on
 * grpc-js); applications only pass them along.
 */

/** Credentials for a channel (TLS, or insecure). */
export interface ChannelCredentials {
  readonly credentialsKind: 'channel';
  /** False for insecure credentials. */
  readonly secure: boolean;
}

/** Credentials attached to each call (tokens, metadata plugins). Allowed only on secure channels. */
export interface CallCredentials {
  readonly credentialsKind: 'call';
}

/** Credentials a server port is opened with. */
export interface ServerCredentials {
  readonly credentialsKind: 'server';
  /** False for insecure credentials. */
  readonly secure: boolean;
}
