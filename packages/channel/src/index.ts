// @grpc-aio/channel: the grpc.aio client on @grpc/grpc-js.

export { NO_MESSAGE_RECEIVED, TOO_MANY_RESPONSES } from './call-status.js';
export type {
  StreamStreamCallable,
  StreamUnaryCallable,
  UnaryStreamCallable,
  UnaryUnaryCallable,
  WaitOptions,
} from './channel.js';
export { ClientChannel, INVALID_GRACE, INVALID_TIMEOUT, insecureChannel, secureChannel } from './channel.js';
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
export {
  DEFAULT_MAX_SEND_METADATA_SIZE,
  MAX_SEND_METADATA_ENTRY_SIZE,
  MAX_SEND_METADATA_SIZE_OPTION,
} from './metadata-limits.js';
export type { ChannelArguments, ClientChannelOptions } from './options.js';
export { USER_AGENT, VERSION } from './version.js';
