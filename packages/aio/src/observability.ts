// grpc-aio/observability: OpenTelemetry metrics (gRFC A66) and traces (Python's grpc_observability).
export type { OpenTelemetryPluginOptions } from '@grpc-aio/observability';
export {
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  LATENCY_BUCKETS,
  METRIC_NAMES,
  OpenTelemetryPlugin,
  OTHER,
  SIZE_BUCKETS,
} from '@grpc-aio/observability';
