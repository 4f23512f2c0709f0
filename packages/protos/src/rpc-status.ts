import type { Call } from '@grpc-aio/core';
import { isStatusCode, type StatusCode, statusCodeToString } from '@grpc-aio/core';
import { type AioRpcError, Status } from '@grpc-aio/errors';
import type { Metadata } from '@grpc-aio/metadata';
import protobuf from 'protobufjs';
import type { MessageType } from './message-type.js';

// Rich error status (Python's grpc_status.rpc_status): a google.rpc.Status carried, serialized, in
// the trailing metadata key grpc-status-details-bin, next to the plain code and message.

/** The trailing metadata key that carries the serialized `google.rpc.Status`. */
export const GRPC_DETAILS_METADATA_KEY = 'grpc-status-details-bin';

/** Where `packAny` puts message types: `type.googleapis.com/<full name>`, as protobuf does. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** A `google.protobuf.Any`: a message of another type, serialized, with the URL naming its type. */
export interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

/** A `google.rpc.Status`: code, developer-facing message and typed details. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyMessage[];
}

/** The google.rpc.Status details disagree with the call's code or message (Python: ValueError). */
export class StatusDetailsMetadataValueError extends Error {}
Object.defineProperty(StatusDetailsMetadataValueError.prototype, 'name', {
  value: 'StatusDetailsMetadataValueError',
  writable: true,
  configurable: true,
});

/** The grpc-status-details-bin value is not a valid google.rpc.Status (Python: ValueError). */
export class StatusDetailsMetadataDecodeError extends StatusDetailsMetadataValueError {}
Object.defineProperty(StatusDetailsMetadataDecodeError.prototype, 'name', {
  value: 'StatusDetailsMetadataDecodeError',
  writable: true,
  configurable: true,
});

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
          },
        },
      },
    },
  },
});
const statusType = root.lookupType('google.rpc.Status');

interface WireStatus {
  code?: number;
  message?: string;
  details?: { type_url?: string; value?: Uint8Array }[];
}

/** Serializes a google.rpc.Status. */
export function encodeRpcStatus(status: RpcStatus): Uint8Array {
  const wire: WireStatus = {
    code: status.code,
    message: status.message,
    details: (status.details ?? []).map((detail) => ({ type_url: detail.typeUrl, value: detail.value })),
  };
  return statusType.encode(statusType.fromObject(wire)).finish();
}

/**
 * Parses a serialized google.rpc.Status.
 * @throws StatusDetailsMetadataDecodeError for bytes that are not one.
 */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  let wire: WireStatus;
  try {
    wire = statusType.toObject(statusType.decode(bytes), { defaults: true, arrays: true }) as WireStatus;
  } catch (error) {
    throw new StatusDetailsMetadataDecodeError(
      `Could not decode ${GRPC_DETAILS_METADATA_KEY} as google.rpc.Status: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    code: wire.code ?? 0,
    message: wire.message ?? '',
    details: (wire.details ?? []).map((detail) => ({
      typeUrl: detail.type_url ?? '',
      value: detail.value ?? new Uint8Array(),
    })),
  };
}

/**
 * The grpc `Status` that carries `status` (Python's `rpc_status.to_status`): its code, its
 * message as details, and the serialized status in grpc-status-details-bin. On the server, end
 * an RPC with it: `await context.abortWithStatus(toStatus(status))`.
 * @throws TypeError when `status.code` is not a status code (Python: ValueError).
 */
export function toStatus(status: RpcStatus): Status {
  if (!isStatusCode(status.code)) throw new TypeError(`Invalid status code ${String(status.code)}`);
  return new Status(status.code, status.message, [[GRPC_DETAILS_METADATA_KEY, encodeRpcStatus(status)]]);
}

function fromParts(code: StatusCode, details: string, trailingMetadata: Metadata): RpcStatus | undefined {
  const bytes = trailingMetadata.get(GRPC_DETAILS_METADATA_KEY);
  if (bytes === undefined) return undefined;
  const status = decodeRpcStatus(bytes);
  if (status.code !== code) {
    throw new StatusDetailsMetadataValueError(
      `Code in Status proto (${statusCodeToString(status.code)}) doesn't match status code (${statusCodeToString(code)})`,
    );
  }
  if (status.message !== details) {
    throw new StatusDetailsMetadataValueError(
      `Message in Status proto (${status.message}) doesn't match status details (${details})`,
    );
  }
  return status;
}

/**
 * The google.rpc.Status a finished call carries, or undefined when it carries none (Python's
 * `await rpc_status.aio.from_call(call)`). Waits for the call to end.
 * @throws StatusDetailsMetadataValueError when its code or message disagree with the call's;
 * StatusDetailsMetadataDecodeError when the details do not decode.
 */
export async function fromCall(call: Call): Promise<RpcStatus | undefined> {
  const [code, details, trailingMetadata] = await Promise.all([
    call.code(),
    call.details(),
    call.trailingMetadata(),
  ]);
  return fromParts(code, details, trailingMetadata);
}

/** `fromCall` for the AioRpcError a failed call threw (synchronous: the error holds the status). */
export function fromRpcError(error: AioRpcError): RpcStatus | undefined {
  return fromParts(error.code(), error.details() ?? '', error.trailingMetadata());
}

/** Wraps a message in an Any, under `type.googleapis.com/<full name>`. */
export function packAny<T>(type: MessageType<T>, message: T): AnyMessage {
  return { typeUrl: `${TYPE_URL_PREFIX}${type.fullName}`, value: type.serialize(message) };
}

/** True when `any` holds a message of `type`. */
export function anyIs(any: AnyMessage, type: MessageType): boolean {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1) === type.fullName;
}

/**
 * The message an Any holds, as a plain object of `type`.
 * @throws TypeError when it holds another type.
 */
export function unpackAny<T>(any: AnyMessage, type: MessageType<T>): T {
  if (!anyIs(any, type)) throw new TypeError(`The Any holds ${any.typeUrl}, not ${type.fullName}.`);
  return type.deserialize(any.value);
}
