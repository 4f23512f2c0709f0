// grpc-aio/observability: OpenTelemetry metrics (gRFC A66) and traces (Python's grpc_observability).
// The whole surface of @grpc-aio/observability, name for name (test/surface.test.ts lists it).
export * from '@grpc-aio/observability';
