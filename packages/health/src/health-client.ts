import type { CallOptions, Channel } from '@grpc-aio/core';
import {
  decodeCheckResponse,
  decodeListResponse,
  encodeCheckRequest,
  encodeListRequest,
  HEALTH_METHODS,
  type ServingStatus,
} from './health-proto.js';

/** Options of the client helpers: the usual call options (timeout in seconds, metadata, signal ...). */
export type HealthCallOptions = CallOptions;

/**
 * Asks the server for the status of `service` ('' = the whole server).
 * @returns the serving status.
 * @throws AioRpcError, e.g. NOT_FOUND for a service the server does not know, UNIMPLEMENTED when it
 * has no health service, DEADLINE_EXCEEDED after `timeout`.
 */
export async function checkHealth(
  channel: Channel,
  service = '',
  options?: HealthCallOptions,
): Promise<ServingStatus> {
  const check = channel.unaryUnary(HEALTH_METHODS.check, encodeCheckRequest, decodeCheckResponse);
  const response = await check({ service }, options);
  return response.status;
}

/**
 * Watches the status of `service`: yields the current status at once, then each change. Ends when
 * the server ends the stream; cancel with `options.signal` or by leaving the `for await` loop.
 */
export async function* watchHealth(
  channel: Channel,
  service = '',
  options?: HealthCallOptions,
): AsyncGenerator<ServingStatus, void, undefined> {
  const watch = channel.unaryStream(HEALTH_METHODS.watch, encodeCheckRequest, decodeCheckResponse);
  const call = watch({ service }, options);
  try {
    for await (const response of call) yield response.status;
  } finally {
    call.cancel();
  }
}

/** Lists the status of every service the server knows. */
export async function listHealth(
  channel: Channel,
  options?: HealthCallOptions,
): Promise<Record<string, ServingStatus>> {
  const list = channel.unaryUnary(HEALTH_METHODS.list, encodeListRequest, decodeListResponse);
  const response = await list({}, options);
  const statuses: Record<string, ServingStatus> = {};
  for (const [service, entry] of Object.entries(response.statuses)) statuses[service] = entry.status;
  return statuses;
}
