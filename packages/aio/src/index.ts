// grpc-aio: Python's grpc.aio for Node.js, in one import.

// ---- What grpc.aio borrows from the top-level grpc module ---------------------------------
export type {
  AuthMetadataContext,
  AuthMetadataPlugin,
  AuthMetadataPluginCallback,
} from '@grpc-aio/channel';
// Channel and call credentials.
export {
  accessTokenCallCredentials,
  altsChannelCredentials,
  compositeCallCredentials,
  compositeChannelCredentials,
  computeEngineChannelCredentials,
  insecureChannelCredentials,
  localChannelCredentials,
  metadataCallCredentials,
  sslChannelCredentials,
  xdsChannelCredentials,
} from '@grpc-aio/channel';
// ---- grpc.aio.__all__, name for name (snake_case camelCased) ------------------------------
export type {
  Call,
  CallCredentials,
  CallOptions,
  Channel,
  ChannelCredentials,
  ChannelOption,
  Deserializer,
  GenericRpcHandler,
  HandlerCallDetails,
  MethodHandlers,
  RequestIterable,
  RpcContext,
  RpcMethodHandler,
  Serializer,
  Server,
  ServerCredentials,
  ServerOptions,
  ServiceRpcHandler,
  ServicerContext,
  StatusLike,
  StreamStreamCall,
  StreamStreamMultiCallable,
  StreamUnaryCall,
  StreamUnaryMultiCallable,
  UnaryStreamCall,
  UnaryStreamMultiCallable,
  UnaryUnaryCall,
  UnaryUnaryMultiCallable,
} from '@grpc-aio/core';
// The enums, and their names (`StatusCode[code]` is undefined: the enums are plain objects).
export {
  ChannelConnectivity,
  Compression,
  channelConnectivityName,
  compressionName,
  EOF,
  isEOF,
  StatusCode,
  statusCodeFromName,
  statusCodeName,
} from '@grpc-aio/core';
export {
  AbortError,
  AioRpcError,
  BaseError,
  CancelledError,
  InternalError,
  InvalidStateError,
  RpcError,
  Status,
  UsageError,
} from '@grpc-aio/errors';
export type {
  ClientInterceptor,
  ServerInterceptor,
  StreamStreamClientInterceptor,
  StreamUnaryClientInterceptor,
  UnaryStreamClientInterceptor,
  UnaryUnaryClientInterceptor,
} from '@grpc-aio/interceptors';
// ---- Beyond Python: the rest of the interceptor toolkit ------------------------------------
export {
  ClientCallDetails,
  clientLoggingInterceptor,
  defaultTimeoutInterceptor,
  InterceptedStreamStreamCall,
  InterceptedStreamUnaryCall,
  InterceptedUnaryStreamCall,
  InterceptedUnaryUnaryCall,
  interceptChannel,
  metadataInterceptor,
  RpcContextVar,
  recoveryInterceptor,
  retryInterceptor,
  serverLoggingInterceptor,
  wrapHandler,
} from '@grpc-aio/interceptors';
export type { MetadataLike, MetadataValue, ReadonlyMetadata } from '@grpc-aio/metadata';
export { Metadata } from '@grpc-aio/metadata';
// ---- Runtime .proto loading (grpc.protos / grpc.services / grpc.protos_and_services) ---------
export type {
  LoadOptions,
  MethodDescriptor,
  Protos,
  ProtosAndServices,
  ServiceDescriptor,
  Services,
  Stub,
} from '@grpc-aio/protos';
export {
  addServicer,
  fromTsProto,
  loadProtos,
  loadProtos as protos,
  loadProtosAndServices,
  loadProtosAndServices as protosAndServices,
  loadServices,
  loadServices as services,
  servicerHandlers,
  stub,
} from '@grpc-aio/protos';
export type { AioServerOptions, GrpcWebOptions } from '@grpc-aio/server';
// Server credentials, method-handler helpers and admin services (channelz).
export {
  dynamicSslServerCredentials,
  insecureServerCredentials,
  LocalConnectionType,
  localServerCredentials,
  methodHandlersGenericHandler,
  sslServerCertificateConfiguration,
  sslServerCredentials,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';
export { addAdminServicers, addChannelzServicer } from '@grpc-aio/server/admin';
export type { ChannelOptions } from './channel.js';
export { insecureChannel, secureChannel } from './channel.js';
export { initGrpcAio, shutdownGrpcAio } from './runtime.js';
export { server } from './server.js';
