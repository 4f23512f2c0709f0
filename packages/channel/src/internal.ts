// @grpc-aio/channel/internal: the call objects and the transport interface they run on, for the
// grpc-aio packages (the testing package's fake channel drives these same classes).
// This entry point is not for applications and does not follow semantic versioning.

export { INVALID_STATUS_RECEIVED } from './call-status.js';
export {
  StreamStreamCallImpl,
  StreamUnaryCallImpl,
  UnaryResponseCall,
  UnaryStreamCallImpl,
  UnaryUnaryCallImpl,
} from './calls.js';
export type { WaitOptions } from './channel.js';
export { ClientChannel } from './channel.js';
export { ClientCall, READ_AHEAD } from './client-call.js';
export { grpcJsCallCredentials, grpcJsChannelCredentials } from './credentials.js';
export {
  GrpcJsChannelTransport,
  RESPONSE_HANDLING_FAILED,
  UNDECOMPRESSIBLE_MESSAGE,
} from './grpc-js-transport.js';
export type {
  CallOwner,
  CallTransport,
  ChannelTransport,
  ClientCallInit,
  TransportListener,
  TransportStatus,
} from './transport.js';
