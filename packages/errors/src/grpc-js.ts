import type { Metadata as GrpcJsMetadata, ServiceError, StatusObject } from '@grpc/grpc-js';
import { isStatusCode, StatusCode, statusCodeName } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import { fromGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';
import { AioRpcError } from './errors.js';

function isServiceError(value: StatusObject | ServiceError): value is ServiceError {
  return value instanceof Error;
}

/**
 * Turns a grpc-js status (a `StatusObject`, or the `ServiceError` its callbacks receive) into an
 * AioRpcError, keeping code, details, trailing metadata, the initial metadata if known, and the
 * grpc-js error as `cause`. The debug string is grpc-js's message (`'14 UNAVAILABLE: ...'`).
 */
export function aioRpcErrorFromGrpcJs(
  status: StatusObject | ServiceError,
  initialMetadata?: GrpcJsMetadata | Metadata | null,
): AioRpcError {
  // A code grpc-js passed through from a server that is not a status code (99, NaN, undefined) is
  // UNKNOWN, as gRPC's rules ask (and as the channel reports it), with the details saying so.
  const valid = isStatusCode(status.code);
  const code = valid ? (status.code as StatusCode) : StatusCode.UNKNOWN;
  const details = valid
    ? status.details
    : `Invalid grpc-status received from the server: ${String(status.code)}${status.details ? ` (grpc-message: ${status.details})` : ''}`;
  const debug = isServiceError(status)
    ? status.message
    : `${status.code} ${statusCodeName(status.code) ?? 'UNKNOWN'}: ${status.details}`;
  const initial =
    initialMetadata == null || !('getMap' in initialMetadata)
      ? initialMetadata
      : fromGrpcJsMetadata(initialMetadata as GrpcJsMetadata);
  return new AioRpcError(
    code,
    initial,
    fromGrpcJsMetadata(status.metadata),
    details,
    debug,
    isServiceError(status) ? { cause: status } : undefined,
  );
}
