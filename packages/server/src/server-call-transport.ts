import type { Compression, StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { PeerAuth } from './auth-context.js';

/** The status that ends an RPC, as its transport sends it. */
export interface TransportStatus {
  readonly code: StatusCode;
  readonly details: string;
  /** Trailing metadata (null or empty for none). */
  readonly metadata: Metadata | null;
}

/**
 * Why a transport ended an RPC that its server had not ended: the client cancelled it (RST_STREAM,
 * or the connection went away), its deadline passed, or the transport ended it for a protocol
 * problem (a malformed or oversized message). The transport has told the client already.
 */
export type CancelReason = 'client' | 'deadline' | 'runtime';

/**
 * The per-call transport a {@link ServerRpc} drives: what it sends to the client and asks of the
 * call. The server's HTTP/2 transport is one implementation; the servicer harness of
 * @grpc-aio/testing is another, without sockets. Events from the client (metadata, messages,
 * half-close, cancellation) go the other way, through `serverRpcEvents`.
 */
export interface ServerCallTransport {
  /** Sends the initial (response) metadata. */
  sendMetadata(metadata: Metadata): void;
  /**
   * Sends one response message, compressed with the call's compression unless `compress` is false;
   * `callback` runs once the transport took it (flow control).
   */
  sendMessage(message: Buffer, callback: () => void, compress: boolean): void;
  /**
   * Sends the one response of a unary-response call, compressed unless `compress` is false; its
   * status follows at once (a transport may send the two together).
   */
  sendFinalMessage(message: Buffer, compress: boolean): void;
  /** Ends the RPC with a status and optional trailing metadata, after every message given before it. */
  sendStatus(status: TransportStatus): void;
  /** Asks for the next event of the request stream: one message, or the half-close. */
  startRead(): void;
  /** The compression of this call's responses; only before initial metadata is sent. */
  setCompression(compression: Compression): void;
  /** The client's (invocation) metadata; asked once, when the handler or an interceptor first needs it. */
  getRequestMetadata(): Metadata;
  /** The peer's address in C-core's form (`ipv4:127.0.0.1:53514`). */
  getPeer(): string;
  /** The call's deadline in milliseconds on the host's clock (Infinity for none). */
  getDeadline(): number;
  /** The transport security of the call and the peer's identity. */
  getPeerAuth(): PeerAuth;
}
