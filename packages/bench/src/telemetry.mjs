// Telemetry for the `aio+noop`, `aio+metrics` and `aio+otel` arms: grpc-aio with the OpenTelemetry
// plugin on no-op providers (the API alone: what instrumentation costs when nobody records), on the
// SDK's meter provider alone (A66's metrics, what Python's grpc_observability records), and on the
// SDK recording every metric and span as a production setup does: spans through a BatchSpanProcessor
// (the SDK's advice for production; SimpleSpanProcessor, which exports each span as it ends, is for
// debugging) to an exporter that drops them, so memory stays flat; context manager and W3C
// propagator set as an application would.
import { OpenTelemetryPlugin } from '@grpc-aio/observability';

/** The telemetry of an arm (`aio+noop`, `aio+metrics`, `aio+otel`), or undefined for any other. */
export async function armTelemetry(name) {
  if (name.endsWith('+noop')) return new OpenTelemetryPlugin();
  if (name.endsWith('+metrics')) {
    const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class Reader extends MetricReader {
      async onForceFlush() {}
      async onShutdown() {}
    }
    return new OpenTelemetryPlugin({ meterProvider: new MeterProvider({ readers: [new Reader()] }) });
  }
  if (!name.endsWith('+otel')) return undefined;
  const { context, propagation } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  return new OpenTelemetryPlugin({
    meterProvider: new MeterProvider({ readers: [new Reader()] }),
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] }),
  });
}
