import { type ChannelOption, type Compression, isCompression } from '@grpc-aio/core';
import { REUSE_PORT_UNSUPPORTED } from './messages.js';
import { CompressionSet } from './transport/compression.js';
import { type ConnectionSettings, DEFAULT_CONNECTION_SETTINGS } from './transport/connection-keeper.js';
import { grpcWebSettings } from './transport/grpc-web.js';
import type { TransportSettings } from './transport/transport-settings.js';

// The channel arguments a server reads, under the names C-core and grpc-js use. Unknown keys are
// ignored, as C-core ignores them.

/** C-core's default limit on a received message (GRPC_DEFAULT_MAX_RECV_MESSAGE_LENGTH). */
const DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH = 4 * 1024 * 1024;

type OptionValue = string | number | boolean;

function optionMap(options: unknown): Map<string, OptionValue> {
  const result = new Map<string, OptionValue>();
  if (options == null) return result;
  if (!Array.isArray(options)) throw new TypeError('Server options must be an array of [key, value] pairs.');
  for (const option of options as unknown[]) {
    if (
      !Array.isArray(option) ||
      option.length !== 2 ||
      typeof option[0] !== 'string' ||
      !['string', 'number', 'boolean'].includes(typeof option[1])
    ) {
      throw new TypeError(
        `Each server option must be a [key, value] pair of a string and a primitive, got ${String(option)}.`,
      );
    }
    result.set(option[0], option[1] as OptionValue);
  }
  return result;
}

function integer(options: Map<string, OptionValue>, key: string): number | undefined {
  const value = options.get(key);
  if (value === undefined) return undefined;
  const number = Number(value); // booleans too: true is 1
  if (!Number.isInteger(number))
    throw new TypeError(`Server option ${key} must be an integer, got ${String(value)}.`);
  return number;
}

/** A size limit: -1 (or any negative) is no limit. */
function limit(options: Map<string, OptionValue>, key: string, fallback: number): number {
  const value = integer(options, key);
  if (value === undefined) return fallback;
  return value < 0 ? Number.POSITIVE_INFINITY : value;
}

/** A positive integer option, or undefined. */
function positive(options: Map<string, OptionValue>, key: string): number | undefined {
  const value = integer(options, key);
  return value !== undefined && value > 0 ? value : undefined;
}

/** A duration in ms: 0 or less (or INT_MAX, C-core's "infinite") is never. */
function duration(options: Map<string, OptionValue>, key: string, fallback: number): number {
  const value = integer(options, key);
  if (value === undefined) return fallback;
  return value <= 0 || value >= 2 ** 31 - 1 ? Number.POSITIVE_INFINITY : value;
}

function connectionSettings(map: Map<string, OptionValue>): ConnectionSettings {
  const defaults = DEFAULT_CONNECTION_SETTINGS;
  const strikes = integer(map, 'grpc.http2.max_ping_strikes');
  const minPing = integer(map, 'grpc.http2.min_ping_interval_without_data_ms');
  return {
    keepaliveTimeMs: duration(map, 'grpc.keepalive_time_ms', defaults.keepaliveTimeMs),
    keepaliveTimeoutMs: duration(map, 'grpc.keepalive_timeout_ms', defaults.keepaliveTimeoutMs),
    keepalivePermitWithoutCalls: (integer(map, 'grpc.keepalive_permit_without_calls') ?? 0) !== 0,
    minPingIntervalWithoutDataMs:
      minPing === undefined ? defaults.minPingIntervalWithoutDataMs : Math.max(0, minPing),
    maxPingStrikes: strikes === undefined ? defaults.maxPingStrikes : Math.max(0, strikes),
    maxConnectionIdleMs: duration(map, 'grpc.max_connection_idle_ms', defaults.maxConnectionIdleMs),
    maxConnectionAgeMs: duration(map, 'grpc.max_connection_age_ms', defaults.maxConnectionAgeMs),
    maxConnectionAgeGraceMs: duration(
      map,
      'grpc.max_connection_age_grace_ms',
      defaults.maxConnectionAgeGraceMs,
    ),
    handshakeTimeoutMs: duration(map, 'grpc.server_handshake_timeout_ms', defaults.handshakeTimeoutMs),
  };
}

// Node 22.12 and 23.1 added listen({ reusePort }).
const [MAJOR = 0, MINOR = 0] = process.versions.node.split('.').map(Number);
const NODE_HAS_REUSE_PORT = MAJOR > 23 || (MAJOR === 23 && MINOR >= 1) || (MAJOR === 22 && MINOR >= 12);

/**
 * `grpc.so_reuseport`: only when set to 1 (C-core's default of 1 cannot be had on Node 20, so an
 * unset option binds exclusively, and an explicit 1 where Node cannot do it is an error).
 * @throws Error {@link REUSE_PORT_UNSUPPORTED}.
 */
function reusePort(map: Map<string, OptionValue>): boolean {
  if ((integer(map, 'grpc.so_reuseport') ?? 0) === 0) return false;
  if (!NODE_HAS_REUSE_PORT) throw new Error(REUSE_PORT_UNSUPPORTED);
  return true;
}

/** The transport's settings from `server({ options, compression, grpcWeb })`. */
export function transportSettings(
  options: readonly ChannelOption[] | undefined,
  compression: Compression,
  grpcWeb?: unknown,
): TransportSettings {
  const map = optionMap(options);
  const defaultAlgorithm = integer(map, 'grpc.default_compression_algorithm');
  if (defaultAlgorithm !== undefined && !isCompression(defaultAlgorithm)) {
    throw new TypeError(
      `Server option grpc.default_compression_algorithm must be 0, 1 or 2, got ${defaultAlgorithm}.`,
    );
  }
  const bitset = integer(map, 'grpc.compression_enabled_algorithms_bitset');
  if (bitset !== undefined && (bitset < 0 || bitset > 7)) {
    throw new TypeError(
      `Server option grpc.compression_enabled_algorithms_bitset must be between 0 and 7, got ${bitset}.`,
    );
  }
  const maxReceive = limit(map, 'grpc.max_receive_message_length', DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH);
  const maxConcurrentStreams = integer(map, 'grpc.max_concurrent_streams');
  const maxMetadataSize = integer(map, 'grpc.max_metadata_size');
  return {
    // The decoder needs a number: an unlimited receive size is the largest a length prefix can say.
    maxReceiveMessageLength: Number.isFinite(maxReceive) ? maxReceive : 2 ** 32 - 1,
    maxSendMessageLength: limit(map, 'grpc.max_send_message_length', Number.POSITIVE_INFINITY),
    compressions: new CompressionSet(bitset),
    defaultCompression: (defaultAlgorithm ?? compression) as Compression,
    maxConcurrentStreams:
      maxConcurrentStreams !== undefined && maxConcurrentStreams >= 0 ? maxConcurrentStreams : undefined,
    maxMetadataSize: maxMetadataSize !== undefined && maxMetadataSize > 0 ? maxMetadataSize : undefined,
    enableChannelz: (integer(map, 'grpc.enable_channelz') ?? 1) !== 0,
    reusePort: reusePort(map),
    maxSessionMemoryMb: positive(map, 'grpc-node.max_session_memory'),
    connection: connectionSettings(map),
    grpcWeb: grpcWebSettings(grpcWeb),
  };
}
