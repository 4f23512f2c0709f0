import type * as grpc from '@grpc/grpc-js';
import type { PeerAuth } from './auth-context.js';

type GrpcJsCall = grpc.ServerInterceptingCallInterface;

/**
 * The per-call transport a {@link ServerRpc} drives: what it sends to the client and asks of the
 * call. grpc-js's `ServerInterceptingCallInterface` is one implementation (it matches structurally);
 * the servicer harness of @grpc-aio/testing is another, without sockets. Events from the client
 * (metadata, messages, half-close, cancellation) go the other way, through `serverRpcEvents`.
 */
export interface ServerCallTransport {
  /** Sends the initial (response) metadata. */
  sendMetadata(metadata: grpc.Metadata): void;
  /** Sends one response message; `callback` runs once the transport took it (flow control). */
  sendMessage(message: Buffer, callback: () => void): void;
  /** Ends the RPC with a status and optional trailing metadata. */
  sendStatus(status: Parameters<GrpcJsCall['sendStatus']>[0]): void;
  /** Asks for the next event of the request stream: one message, or the half-close. */
  startRead(): void;
  /** The peer's address, as grpc-js renders it. */
  getPeer(): string;
  /** The call's deadline (a Date or milliseconds on the host's clock; Infinity for none). */
  getDeadline(): grpc.Deadline;
  /** The transport security of the call (grpc-js 1.14+). */
  getAuthContext?(): ReturnType<GrpcJsCall['getAuthContext']>;
  /** The addresses of the connection (grpc-js 1.14+). */
  getConnectionInfo?(): ReturnType<GrpcJsCall['getConnectionInfo']>;
  /** The peer's auth context when the transport knows it as such; else it is derived from `getAuthContext()`. */
  getPeerAuth?(): PeerAuth;
}
