export type { AioRpcErrorJSON, ErrorOptions } from './errors.js';
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
} from './errors.js';
export {
  ABORT_ALREADY_CALLED,
  API_STYLES_MIXED,
  CALL_CREDENTIALS_ON_INSECURE_CHANNEL,
  CHANNEL_CLOSED,
  CONCURRENT_RPC_LIMIT,
  DEADLINE_EXCEEDED,
  HALF_CLOSED,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  LOCALLY_CANCELLED,
  METHOD_NOT_FOUND,
  RPC_ALREADY_FINISHED,
  SERVER_NOT_READY,
} from './messages.js';
