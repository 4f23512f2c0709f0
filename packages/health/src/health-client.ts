import type { CallOptions, Channel } from '@grpc-aio/core';
import {
  decodeCheckResponse,
  decodeListResponse,
  encodeCheckRequest,
  encodeListRequest,
  HEALTH_METHODS,
  type ServingStatus,
} from './health-proto.js';

/**
 * Options of the client helpers: the usual call options (timeout in seconds, metadata, signal ...),
 * passed through to the channel's call, which refuses a key it does not take with a TypeError.
 */
export type HealthCallOptions = CallOptions;

/** The service name must be a string: call options given in its place are not silently dropped. */
function checkService(what: string, service: unknown): string {
  if (typeof service === 'string') return service;
  const hint =
    typeof service === 'object' && service !== null
      ? `; call options are the third argument: ${what}(channel, '', options)`
      : '';
  throw new TypeError(
    `${what}() service must be a string (the service name, '' for the whole server), got ${typeof service}${hint}.`,
  );
}

/**
 * Asks the server for the status of `service` ('' = the whole server).
 * @returns the serving status.
 * @throws AioRpcError, e.g. NOT_FOUND for a service the server does not know, UNIMPLEMENTED when it
 * has no health service, DEADLINE_EXCEEDED after `timeout`.
 * @throws TypeError for a `service` that is not a string, or an option a call does not take.
 */
export async function checkHealth(
  channel: Channel,
  service = '',
  options?: HealthCallOptions,
): Promise<ServingStatus> {
  const name = checkService('checkHealth', service);
  const check = channel.unaryUnary(HEALTH_METHODS.check, encodeCheckRequest, decodeCheckResponse);
  const response = await check({ service: name }, options);
  return response.status;
}

/**
 * Watches the status of `service`: yields the current status at once, then each change. Ends when
 * the server ends the stream; cancel with `options.signal` or by leaving the `for await` loop.
 * @throws TypeError (on the first `next()`) for a `service` that is not a string, or an option a
 *   call does not take.
 */
export async function* watchHealth(
  channel: Channel,
  service = '',
  options?: HealthCallOptions,
): AsyncGenerator<ServingStatus, void, undefined> {
  const name = checkService('watchHealth', service);
  const watch = channel.unaryStream(HEALTH_METHODS.watch, encodeCheckRequest, decodeCheckResponse);
  const call = watch({ service: name }, options);
  try {
    for await (const response of call) yield response.status;
  } finally {
    call.cancel();
  }
}

/**
 * Lists the status of every service the server knows.
 * @throws TypeError for an option a call does not take (the options go to the channel's call).
 */
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
