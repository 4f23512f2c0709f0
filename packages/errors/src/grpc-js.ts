import type { Metadata as GrpcJsMetadata, ServiceError, StatusObject } from '@grpc/grpc-js';
import { type StatusCode, statusCodeName } from '@grpc-aio/core';
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
  const code = status.code as StatusCode;
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
    status.details,
    debug,
    isServiceError(status) ? { cause: status } : undefined,
  );
}
