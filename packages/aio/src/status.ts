// grpc-aio/status: rich error status, google.rpc.Status in grpc-status-details-bin (Python's
// grpc_status.rpc_status; `fromCall` is `rpc_status.aio.from_call`).
export type { AnyMessage, RpcStatus } from '@grpc-aio/protos';
export {
  anyIs,
  decodeRpcStatus,
  encodeRpcStatus,
  fromCall,
  fromRpcError,
  GRPC_DETAILS_METADATA_KEY,
  packAny,
  StatusDetailsMetadataDecodeError,
  StatusDetailsMetadataValueError,
  TYPE_URL_PREFIX,
  toStatus,
  unpackAny,
} from '@grpc-aio/protos';
