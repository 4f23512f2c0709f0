import { isStatusCode, StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import type { Metadata } from '@grpc-aio/metadata';
import type { TransportStatus } from './transport.js';

/** Details of a unary-response RPC that ended OK without a response (as grpc-js reports it). */
export const NO_MESSAGE_RECEIVED = 'No message received';
/** Details of a unary-response RPC whose server sent more than one response. */
export const TOO_MANY_RESPONSES = 'Too many responses received';
/**
 * The start of the details of a call whose server sent a `grpc-status` that is not a status code
 * (a number outside 0..16, not a number, or two values): the call ends with UNKNOWN, as gRPC's
 * status-code rules ask, and these details, followed by what was received.
 */
export const INVALID_STATUS_RECEIVED = 'Invalid grpc-status received from the server';

/** UNKNOWN for a code that is not a StatusCode, with details saying what was received. */
export function checkedStatus(status: TransportStatus): TransportStatus {
  if (isStatusCode(status.code)) return status;
  const received = Number.isNaN(status.code) ? 'not one number' : String(status.code);
  const details = `${INVALID_STATUS_RECEIVED}: ${received}${status.details === '' ? '' : ` (grpc-message: ${status.details})`}`;
  return {
    code: StatusCode.UNKNOWN,
    details,
    metadata: status.metadata,
    debugErrorString: details,
    cause: status.cause,
  };
}

/**
 * The error awaiting or reading a call that ended with `status` raises: CancelledError after a
 * local cancel, else an AioRpcError with both metadata sets (the transport's error as `cause`).
 */
export function statusError(
  status: TransportStatus,
  initialMetadata: Metadata | undefined,
  locallyCancelled: boolean,
): Error {
  const options = status.cause === undefined ? undefined : { cause: status.cause };
  if (locallyCancelled) return new CancelledError(status.details, options);
  return new AioRpcError(
    status.code,
    initialMetadata,
    status.metadata,
    status.details,
    status.debugErrorString,
    options,
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function toBytes(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message;
  throw new TypeError(
    `Without a request serializer, requests must be a Uint8Array (or Buffer), got ${message === null ? 'null' : typeof message}.`,
  );
}

/** What a serializer threw (the call has ended INTERNAL). */
export class SerializationFailure {
  constructor(readonly error: unknown) {}
}
