// @grpc-aio/observability: OpenTelemetry for grpc-aio (Python's grpc_observability).

export { LATENCY_BUCKETS, METRIC_NAMES, SIZE_BUCKETS } from './instruments.js';
export type { OpenTelemetryPluginOptions } from './plugin.js';
export { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, OpenTelemetryPlugin } from './plugin.js';
export { OTHER } from './recorders.js';
