// @grpc-aio/server: the grpc.aio server, on its own gRPC-over-HTTP/2 transport (node:http2).

// The contracts this package implements, re-exported for convenience.
export type {
  GenericRpcHandler,
  HandlerCallDetails,
  MethodHandlers,
  RpcMethodHandler,
  Server,
  ServerCredentials,
  ServerOptions,
  ServiceRpcHandler,
  ServicerContext,
  StatusLike,
} from '@grpc-aio/core';
export type { PrivateKeyCertificateChainPair, ServerCertificateConfiguration } from './credentials.js';
export {
  dynamicSslServerCredentials,
  insecureServerCredentials,
  LocalConnectionType,
  localServerCredentials,
  sslServerCertificateConfiguration,
  sslServerCredentials,
} from './credentials.js';
// Messages (status details, cancellation reasons) and warning codes that users may match on.
export {
  ABORT_WITH_OK,
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  CANCELLED_BY_RUNTIME,
  CANCELLED_BY_SERVER_STOP,
  COMPRESSION_AFTER_METADATA,
  HANDLER_ABANDONED_WARNING_CODE,
  INVALID_TRAILING_METADATA,
  LATE_REGISTRATION_WARNING_CODE,
  MAXIMUM_CONCURRENT_RPCS_INVALID,
  REUSE_PORT_UNSUPPORTED,
  SERVER_SHUTTING_DOWN,
} from './messages.js';
export {
  methodHandlersGenericHandler,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from './method-handlers.js';
export { NO_REQUEST, SECOND_REQUEST, WRITE_ON_UNARY_RESPONSE } from './rpc-host.js';
export type { AioServerOptions } from './server.js';
export { server } from './server.js';
export type { GrpcWebOptions } from './transport/grpc-web.js';
