// Enums borrowed from the top-level grpc module, with their wire values.

// Client-side contracts.
export type {
  AnyCall,
  Call,
  RpcContext,
  StreamStreamCall,
  StreamUnaryCall,
  UnaryStreamCall,
  UnaryUnaryCall,
} from './call.js';
export type {
  CallKind,
  CallOptions,
  Channel,
  ChannelOption,
  MethodOptions,
  RequestIterable,
  StreamStreamMultiCallable,
  StreamUnaryMultiCallable,
  UnaryStreamMultiCallable,
  UnaryUnaryMultiCallable,
  WaitOptions,
} from './channel.js';
// The clock channels, calls, interceptors and servers share.
export type { Clock, ClockChannel } from './clock.js';
export { CHANNEL_CLOCK, sleepOn, systemClock } from './clock.js';
// Shared by both sides.
export type { CallCredentials, ChannelCredentials, ServerCredentials } from './credentials.js';
export type { ChannelConnectivityName, CompressionName, StatusCodeName } from './enums.js';
export {
  ChannelConnectivity,
  Compression,
  channelConnectivityName,
  compressionAlgorithm,
  compressionName,
  isChannelConnectivity,
  isCompression,
  isStatusCode,
  StatusCode,
  statusCodeDescription,
  statusCodeFromName,
  statusCodeName,
  statusCodeToString,
} from './enums.js';
export { EOF, isEOF } from './eof.js';
export type { Deserializer, Serializer } from './serialization.js';
// Server-side contracts.
export type {
  GenericRpcHandler,
  HandlerCallDetails,
  MethodHandlers,
  RpcMethodHandler,
  Server,
  ServerOptions,
  ServiceRpcHandler,
  ServicerContext,
  StatusLike,
  StreamStreamBehavior,
  StreamUnaryBehavior,
  UnaryStreamBehavior,
  UnaryUnaryBehavior,
} from './server.js';
// Telemetry: how channels and servers report calls to an observability plugin.
export type {
  CallTelemetry,
  ClientAttemptTelemetry,
  ClientCallInfo,
  ClientCallTelemetry,
  ServerCallInfo,
  ServerCallTelemetry,
  TelemetryChannel,
} from './telemetry.js';
export {
  CALL_TELEMETRY,
  CHANNEL_TELEMETRY,
  checkTelemetry,
  deregisterTelemetry,
  globalTelemetry,
  registerTelemetry,
} from './telemetry.js';
