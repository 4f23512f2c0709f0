// Client interceptors (./client) and server interceptors (./server), re-exported.

export type {
  CallKind,
  ClientCallDetailsInit,
  ClientCallLogEntry,
  ClientInterceptor,
  ClientLoggingOptions,
  ContinuationExtras,
  MetadataInterceptorOptions,
  MetadataSource,
  RetryOptions,
  StreamInterceptorResult,
  StreamStreamClientInterceptor,
  StreamStreamContinuation,
  StreamUnaryClientInterceptor,
  StreamUnaryContinuation,
  UnaryInterceptorResult,
  UnaryStreamClientInterceptor,
  UnaryStreamContinuation,
  UnaryUnaryClientInterceptor,
  UnaryUnaryContinuation,
} from './client.js';
// Client side.
export {
  CLIENT_INTERCEPTOR_FAILED,
  ClientCallDetails,
  clientLoggingInterceptor,
  defaultTimeoutInterceptor,
  formatClientCallLogEntry,
  InterceptedCall,
  InterceptedStreamStreamCall,
  InterceptedStreamUnaryCall,
  InterceptedUnaryStreamCall,
  InterceptedUnaryUnaryCall,
  interceptChannel,
  isClientInterceptor,
  metadataInterceptor,
  retryInterceptor,
  STREAM_INTERCEPTOR_BAD_RESULT,
} from './client.js';
export type {
  ErrorToStatus,
  HandlerHooks,
  MaybeHandler,
  RecoveredStatus,
  RecoveryOptions,
  ServerCallLogEntry,
  ServerContinuation,
  ServerInterceptor,
  ServerLoggingOptions,
} from './server.js';
// Server side.
export {
  defaultErrorToStatus,
  formatServerCallLogEntry,
  inRpcScope,
  isServerInterceptor,
  RpcContextVar,
  recoveryInterceptor,
  serverLoggingInterceptor,
  wrapHandler,
} from './server.js';
