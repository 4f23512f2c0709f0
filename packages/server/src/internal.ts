// @grpc-aio/server/internal: the server's RPC machinery, for sibling packages (the servicer harness
// of @grpc-aio/testing drives it without sockets). This entry point does not follow semantic
// versioning: anything here may change in any release.

export type { PeerAuth } from './auth-context.js';
export { isGenericRpcHandler, isRpcMethodHandler } from './method-handlers.js';
export type { MessageCodec, RpcHost } from './rpc-host.js';
export type { CancelReason, ServerCallTransport, TransportStatus } from './server-call-transport.js';
export { rpcTelemetry, ServerRpc, serverRpcEvents } from './server-rpc.js';
