// @grpc-aio/channel: the grpc.aio client on @grpc/grpc-js.

export type {
  ChannelArguments,
  ClientChannelOptions,
  StreamStreamCallable,
  StreamUnaryCallable,
  UnaryStreamCallable,
  UnaryUnaryCallable,
  WaitOptions,
} from './channel.js';
export {
  ClientChannel,
  DEFAULT_MAX_SEND_METADATA_SIZE,
  INVALID_GRACE,
  INVALID_TIMEOUT,
  insecureChannel,
  MAX_SEND_METADATA_ENTRY_SIZE,
  MAX_SEND_METADATA_SIZE_OPTION,
  secureChannel,
} from './channel.js';
export { NO_MESSAGE_RECEIVED, TOO_MANY_RESPONSES } from './client-call.js';
export type { AuthMetadataContext, AuthMetadataPlugin, AuthMetadataPluginCallback } from './credentials.js';
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
} from './credentials.js';
export { USER_AGENT, VERSION } from './version.js';
