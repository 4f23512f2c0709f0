// @grpc-aio/interceptors/server: server interceptors, per-RPC context and ready-made interceptors.

export type { ServerCallLogEntry, ServerLoggingOptions } from './server/logging-interceptor.js';
export { formatServerCallLogEntry, serverLoggingInterceptor } from './server/logging-interceptor.js';
export type { ErrorToStatus, RecoveredStatus, RecoveryOptions } from './server/recovery-interceptor.js';
export { defaultErrorToStatus, recoveryInterceptor } from './server/recovery-interceptor.js';
export { inRpcScope, RpcContextVar } from './server/rpc-context-var.js';
export type { MaybeHandler, ServerContinuation, ServerInterceptor } from './server/server-interceptor.js';
export { isServerInterceptor } from './server/server-interceptor.js';
export type { HandlerHooks } from './server/wrap-handler.js';
export { wrapHandler } from './server/wrap-handler.js';
