import type { ChannelOptions as GrpcJsChannelOptions } from '@grpc/grpc-js';
import {
  type CallTelemetry,
  type ChannelOption,
  type Compression,
  checkTelemetry,
  isCompression,
  type MethodOptions,
  type WaitOptions,
} from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { MAX_SEND_METADATA_SIZE_OPTION } from './metadata-limits.js';
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

/** Options of a {@link ClientChannel} beyond its transport. */
export interface ClientChannelOptions {
  /** The largest request metadata a call may send, in bytes (default {@link DEFAULT_MAX_SEND_METADATA_SIZE}). */
  maxSendMetadataSize?: number | undefined;
  /**
   * Telemetry for this channel's calls, in place of the globally registered one (an
   * `OpenTelemetryPlugin` of `@grpc-aio/observability`).
   */
  telemetry?: CallTelemetry | null | undefined;
}

/** Options of {@link insecureChannel} and {@link secureChannel}. */
export interface ChannelArguments {
  /**
   * Channel arguments as `[key, value]` pairs (grpc core names), passed through to grpc-js, which
   * ignores the ones it does not know, as C-core does (they are channel arguments, not options of
   * this function). A pair that is not `[string, primitive]` is a TypeError.
   */
  options?: Iterable<ChannelOption> | null | undefined;
  /** The default compression of the channel's requests. */
  compression?: Compression | null | undefined;
  /**
   * Telemetry for this channel's calls (an `OpenTelemetryPlugin` of `@grpc-aio/observability`), in
   * place of the globally registered one. Without it, the calls report to whatever telemetry is
   * registered globally when each call starts.
   */
  telemetry?: CallTelemetry | null | undefined;
}

// The checks of what the application passes: channel arguments, call, method and wait options.

export function checkCompression(compression: unknown): Compression | undefined {
  if (compression == null) return undefined;
  if (!isCompression(compression)) throw new TypeError(`Unknown compression value: ${String(compression)}.`);
  return compression;
}

export function checkTarget(target: unknown): void {
  if (typeof target !== 'string' || target.length === 0)
    throw new TypeError('The target must be a non-empty string.');
}

export function checkMethod(method: unknown): void {
  if (typeof method !== 'string')
    throw new TypeError('The method must be a string like "/package.Service/Method".');
}

export function checkRequests(requests: unknown): void {
  if (requests == null) return;
  const candidate = requests as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  if (
    typeof candidate[Symbol.asyncIterator] !== 'function' &&
    typeof candidate[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError('The request iterator must be an iterable or async iterable (or null).');
  }
}

/** grpc-js's options, and ours (taken out: grpc-js does not know them). */
/** The keys of {@link ChannelArguments}: anything else is refused. */
const CHANNEL_ARGUMENTS = new Set(['options', 'compression', 'telemetry']);
/** The keys of CallOptions: anything else is refused. */
export const CALL_OPTIONS = new Set([
  'timeout',
  'metadata',
  'credentials',
  'waitForReady',
  'compression',
  'signal',
]);

function channelArgumentHint(key: string): string | undefined {
  if (key === 'interceptors')
    return "@grpc-aio/channel has no interceptors: use grpc-aio's insecureChannel()/secureChannel(), or interceptChannel() from @grpc-aio/interceptors";
  if (key.includes('.')) return `a channel argument goes in options: [['${key}', value]]`;
  return undefined;
}

/** The keys of ClientChannelOptions. */
export const CLIENT_CHANNEL_OPTIONS = new Set(['maxSendMetadataSize', 'telemetry']);
/** The keys of MethodOptions (the multi-callable factories' last argument). */
const METHOD_OPTIONS = new Set(['registeredMethod']);
/** The keys of WaitOptions. */
const WAIT_OPTIONS = new Set(['signal']);

export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).aborted === 'boolean'
  );
}

export function checkMethodOptions(what: string, options: MethodOptions | undefined): void {
  if (options == null) return;
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, METHOD_OPTIONS, methodOptionHint);
}

function methodOptionHint(key: string): string | undefined {
  return CALL_OPTIONS.has(key) ? 'a call option goes to the call: callable(request, { ... })' : undefined;
}

/** Refuses what a wait does not take: a `timeout` is a signal here (`AbortSignal.timeout(ms)`). */
export function checkWaitOptions(what: string, options: WaitOptions | undefined): void {
  if (options == null) return;
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, WAIT_OPTIONS, waitOptionHint);
  if (options.signal != null && !isAbortSignal(options.signal)) {
    throw new TypeError(`${what} option signal must be an AbortSignal, got ${typeof options.signal}.`);
  }
}

function waitOptionHint(key: string): string | undefined {
  return key === 'timeout' ? 'bound the wait with signal: AbortSignal.timeout(ms)' : undefined;
}

export function callOptionHint(key: string): string | undefined {
  if (key === 'deadline') return 'give timeout, in seconds';
  return undefined;
}

export function splitOptions(
  what: string,
  args: ChannelArguments | undefined,
): [ReturnType<typeof toGrpcJsChannelOptions>, ClientChannelOptions] {
  if (args != null) {
    if (typeof args !== 'object')
      throw new TypeError(`${what} options must be an object, got ${typeof args}.`);
    rejectUnknownOptions(what, args, CHANNEL_ARGUMENTS, channelArgumentHint);
  }
  const options = toGrpcJsChannelOptions(args?.options);
  const maxSendMetadataSize = options[MAX_SEND_METADATA_SIZE_OPTION];
  delete options[MAX_SEND_METADATA_SIZE_OPTION];
  if (
    maxSendMetadataSize !== undefined &&
    (typeof maxSendMetadataSize !== 'number' || !(maxSendMetadataSize >= 0))
  ) {
    throw new TypeError(`Channel option ${MAX_SEND_METADATA_SIZE_OPTION} must be a number of bytes.`);
  }
  return [options, { maxSendMetadataSize, telemetry: checkTelemetry(what, args?.telemetry) }];
}
