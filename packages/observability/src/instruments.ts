import type { Counter, Histogram, Meter } from '@opentelemetry/api';

// The instruments of gRFC A66 (OpenTelemetry Metrics), with its names, units and bucket boundaries.

/** A66's latency buckets, in seconds (the `advice` of every duration histogram). */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01,
  0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65,
  0.8, 1, 2, 5, 10, 20, 50, 100,
]);

/** A66's size buckets, in bytes (the `advice` of every message-size histogram). */
export const SIZE_BUCKETS: readonly number[] = Object.freeze([
  0, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824,
  4294967296,
]);

/** The metric names of gRFC A66. */
export const METRIC_NAMES = Object.freeze({
  clientAttemptStarted: 'grpc.client.attempt.started',
  clientAttemptDuration: 'grpc.client.attempt.duration',
  clientAttemptSentSize: 'grpc.client.attempt.sent_total_compressed_message_size',
  clientAttemptRcvdSize: 'grpc.client.attempt.rcvd_total_compressed_message_size',
  clientCallDuration: 'grpc.client.call.duration',
  serverCallStarted: 'grpc.server.call.started',
  serverCallDuration: 'grpc.server.call.duration',
  serverCallSentSize: 'grpc.server.call.sent_total_compressed_message_size',
  serverCallRcvdSize: 'grpc.server.call.rcvd_total_compressed_message_size',
} as const);

/** The client instruments. */
export interface ClientInstruments {
  readonly attemptStarted: Counter;
  readonly attemptDuration: Histogram;
  readonly attemptSentSize: Histogram;
  readonly attemptRcvdSize: Histogram;
  readonly callDuration: Histogram;
}

/** The server instruments. */
export interface ServerInstruments {
  readonly callStarted: Counter;
  readonly callDuration: Histogram;
  readonly callSentSize: Histogram;
  readonly callRcvdSize: Histogram;
}

/** Makes one instrument on a meter. */
type Maker<T> = (meter: Meter) => T;

function counter(name: string, unit: string, description: string): Maker<Counter> {
  return (meter) => meter.createCounter(name, { description, unit });
}

/** A histogram with the unit and buckets of `kind`. */
function histogram(name: string, kind: 'latency' | 'size', description: string): Maker<Histogram> {
  const [unit, buckets] = kind === 'latency' ? ['s', LATENCY_BUCKETS] : ['By', SIZE_BUCKETS];
  return (meter) =>
    meter.createHistogram(name, {
      description,
      unit,
      advice: { explicitBucketBoundaries: [...buckets] },
    });
}

/** A66's client instruments, in A66's words. */
const CLIENT: { readonly [K in keyof ClientInstruments]: Maker<ClientInstruments[K]> } = {
  attemptStarted: counter(
    METRIC_NAMES.clientAttemptStarted,
    '{attempt}',
    'The total number of RPC attempts started, including those that have not completed.',
  ),
  attemptDuration: histogram(
    METRIC_NAMES.clientAttemptDuration,
    'latency',
    'End-to-end time taken to complete an RPC attempt including the time it takes to pick a subchannel.',
  ),
  attemptSentSize: histogram(
    METRIC_NAMES.clientAttemptSentSize,
    'size',
    'Total bytes (compressed but not encrypted) sent across all request messages (metadata excluded) per RPC attempt; does not include grpc or transport framing bytes.',
  ),
  attemptRcvdSize: histogram(
    METRIC_NAMES.clientAttemptRcvdSize,
    'size',
    'Total bytes (compressed but not encrypted) received across all response messages (metadata excluded) per RPC attempt; does not include grpc or transport framing bytes.',
  ),
  callDuration: histogram(
    METRIC_NAMES.clientCallDuration,
    'latency',
    'Time taken by gRPC to complete an RPC from application perspective.',
  ),
};

/** A66's server instruments, in A66's words. */
const SERVER: { readonly [K in keyof ServerInstruments]: Maker<ServerInstruments[K]> } = {
  callStarted: counter(
    METRIC_NAMES.serverCallStarted,
    '{call}',
    'The total number of RPCs started, including those that have not completed.',
  ),
  callDuration: histogram(
    METRIC_NAMES.serverCallDuration,
    'latency',
    'End-to-end time taken to complete a call from server transport perspective.',
  ),
  callSentSize: histogram(
    METRIC_NAMES.serverCallSentSize,
    'size',
    'Total bytes (compressed but not encrypted) sent across all response messages (metadata excluded) per RPC; does not include grpc or transport framing bytes.',
  ),
  callRcvdSize: histogram(
    METRIC_NAMES.serverCallRcvdSize,
    'size',
    'Total bytes (compressed but not encrypted) received across all request messages (metadata excluded) per RPC; does not include grpc or transport framing bytes.',
  ),
};

/** The instruments of `makers`, made on `meter` in their order. */
function make<T>(meter: Meter, makers: { readonly [K in keyof T]: Maker<T[K]> }): T {
  const instruments: Partial<T> = {};
  for (const key of Object.keys(makers) as (keyof T)[]) instruments[key] = makers[key](meter);
  return instruments as T;
}

export function clientInstruments(meter: Meter): ClientInstruments {
  return make(meter, CLIENT);
}

export function serverInstruments(meter: Meter): ServerInstruments {
  return make(meter, SERVER);
}
