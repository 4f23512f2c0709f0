import type { ChannelOptions as GrpcJsChannelOptions } from '@grpc/grpc-js';
import type { ChannelOption } from '@grpc-aio/core';
import { USER_AGENT } from './version.js';

/**
 * Turns Python-style `[key, value]` channel options into grpc-js channel options, adding the
 * grpc-aio user-agent (after the user's own `grpc.primary_user_agent`, if any). Booleans become
 * 1/0 as grpc core expects; the last value of a repeated key wins.
 * @throws TypeError for anything that is not a `[string, string | number | boolean]` pair.
 */
export function toGrpcJsChannelOptions(
  options: Iterable<ChannelOption> | null | undefined,
): GrpcJsChannelOptions {
  const result: GrpcJsChannelOptions = {};
  if (options != null) {
    if (typeof (options as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('Channel options must be an iterable of [key, value] pairs.');
    }
    for (const option of options) {
      if (!Array.isArray(option) || option.length !== 2 || typeof option[0] !== 'string') {
        throw new TypeError(
          `Channel option must be a [key, value] pair with a string key, got ${String(option)}.`,
        );
      }
      const [key, value] = option;
      if (typeof value === 'boolean') result[key] = value ? 1 : 0;
      else if (typeof value === 'string' || typeof value === 'number') result[key] = value;
      else
        throw new TypeError(
          `Channel option ${JSON.stringify(key)} must have a string, number or boolean value.`,
        );
    }
  }
  const userAgent = result['grpc.primary_user_agent'];
  result['grpc.primary_user_agent'] =
    typeof userAgent === 'string' ? `${userAgent} ${USER_AGENT}` : USER_AGENT;
  return result;
}
