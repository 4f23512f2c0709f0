import {
  type ChannelArguments,
  insecureChannel as insecureChannelBase,
  secureChannel as secureChannelBase,
} from '@grpc-aio/channel';
import type { Channel, ChannelCredentials } from '@grpc-aio/core';
import { type ClientInterceptor, interceptChannel } from '@grpc-aio/interceptors';
import { validateClientInterceptors } from '@grpc-aio/interceptors/internal';
import { track } from './runtime.js';

/** Options of `insecureChannel`/`secureChannel`: channel arguments, compression and interceptors. */
export interface ChannelOptions extends ChannelArguments {
  /**
   * Client interceptors run for every call on the channel; interceptors[0] is outermost. An object
   * implementing several interceptor kinds is used for each of them.
   */
  interceptors?: readonly ClientInterceptor[] | null | undefined;
}

/** The options without `interceptors`, for @grpc-aio/channel (which refuses options it does not take). */
function channelArguments(options: ChannelOptions | undefined): ChannelArguments | undefined {
  if (options == null || typeof options !== 'object' || !('interceptors' in options)) return options;
  const { interceptors: _interceptors, ...rest } = options;
  return rest;
}

function withInterceptors(
  channel: Channel,
  interceptors: readonly ClientInterceptor[] | null | undefined,
): Channel {
  if (interceptors == null || interceptors.length === 0) return channel;
  return interceptChannel(channel, ...validateClientInterceptors(interceptors));
}

/**
 * Creates an insecure channel (Python's `aio.insecure_channel(target, options, compression,
 * interceptors)`).
 * @param target a gRPC target: `'host:port'`, `'dns:host:port'`, `'ipv4:a:p,b:p'`, `'unix:path'` ...
 * @throws TypeError for a bad target, option or interceptor.
 */
export function insecureChannel(target: string, options?: ChannelOptions): Channel {
  // Interceptors are checked before the channel exists, so a bad one leaks nothing.
  if (options?.interceptors != null) validateClientInterceptors(options.interceptors);
  return track(
    withInterceptors(insecureChannelBase(target, channelArguments(options)), options?.interceptors),
  );
}

/**
 * Creates a secure channel (Python's `aio.secure_channel(target, credentials, options,
 * compression, interceptors)`); per-call credentials are allowed only on such channels.
 */
export function secureChannel(
  target: string,
  credentials: ChannelCredentials,
  options?: ChannelOptions,
): Channel {
  if (options?.interceptors != null) validateClientInterceptors(options.interceptors);
  return track(
    withInterceptors(
      secureChannelBase(target, credentials, channelArguments(options)),
      options?.interceptors,
    ),
  );
}
