// @grpc-aio/interceptors/client: client interceptors, the intercepted calls, ready-made interceptors.

export type { ClientCallDetailsInit } from './client/client-call-details.js';
export { ClientCallDetails } from './client/client-call-details.js';
export type {
  CallKind,
  ClientInterceptor,
  ContinuationExtras,
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
} from './client/client-interceptor.js';
export { isClientInterceptor } from './client/client-interceptor.js';
// Ready-made interceptors.
export { defaultTimeoutInterceptor } from './client/default-timeout-interceptor.js';
export { interceptChannel } from './client/intercept-channel.js';
export {
  InterceptedCall,
  InterceptedStreamStreamCall,
  InterceptedStreamUnaryCall,
  InterceptedUnaryStreamCall,
  InterceptedUnaryUnaryCall,
} from './client/intercepted-call.js';
export type { ClientCallLogEntry, ClientLoggingOptions } from './client/logging-interceptor.js';
export { clientLoggingInterceptor, formatClientCallLogEntry } from './client/logging-interceptor.js';
export { CLIENT_INTERCEPTOR_FAILED, STREAM_INTERCEPTOR_BAD_RESULT } from './client/messages.js';
export type { MetadataInterceptorOptions, MetadataSource } from './client/metadata-interceptor.js';
export { metadataInterceptor } from './client/metadata-interceptor.js';
export type { RetryOptions } from './client/retry-interceptor.js';
export { retryInterceptor } from './client/retry-interceptor.js';
