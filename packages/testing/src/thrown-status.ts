import { StatusCode, type StatusLike } from '@grpc-aio/core';
import { AioRpcError, Status } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';

/** The status a handler's thrown value ends the RPC with, as the fakes map it. */
export interface ThrownStatus {
  readonly code: StatusCode;
  readonly details: string;
  readonly trailingMetadata: Metadata;
}

/**
 * Renders a thrown value as the server does: `'TypeError: bad input'` for an Error,
 * `'string: boom'` for anything else.
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null) return 'null: null';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    let text: string;
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = '<unprintable>';
    }
    return `${typeof name === 'string' && name !== '' ? name : 'Object'}: ${text}`;
  }
  return `${typeof value}: ${String(value)}`;
}

/**
 * An `AioRpcError` or a `Status` ends the RPC with its own status; anything else with UNKNOWN
 * `"Unexpected <Name>: <message>"` (as @grpc-aio/server reports it).
 */
export function thrownStatus(error: unknown): ThrownStatus {
  if (error instanceof AioRpcError) {
    return { code: error.code(), details: error.details() ?? '', trailingMetadata: error.trailingMetadata() };
  }
  if (error instanceof Status) {
    const status = error as StatusLike;
    return {
      code: status.code,
      details: status.details,
      trailingMetadata: Metadata.from(status.trailingMetadata),
    };
  }
  return {
    code: StatusCode.UNKNOWN,
    details: `Unexpected ${describeThrown(error)}`,
    trailingMetadata: new Metadata(),
  };
}
