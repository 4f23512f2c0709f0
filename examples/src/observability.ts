// OpenTelemetry with grpc-aio: the plugin records gRFC A66 metrics and RPC spans for every channel
// and server made while it is registered; trace context crosses the call in request metadata, so
// the server span is a child of the client span and the handler's own span a child of the server
// span. Run directly (`tsx src/observability.ts`) it exports to the console exporters; the test
// reads the same telemetry from in-memory exporters.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { insecureChannel, server } from 'grpc-aio';
import { OpenTelemetryPlugin } from 'grpc-aio/observability';
import { addGreeterServicerToServer, type GreeterServicer, GreeterStub } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

const greeter: GreeterServicer = {
  async sayHello(request) {
    // The handler runs with the server span active: this span is its child.
    trace.getTracer('greeter').startActiveSpan('compose greeting', (span) => span.end());
    return { message: `Hello, ${request.name}!` };
  },
};

/**
 * Serves Greeter, makes two calls (one to an unknown method), and returns what the telemetry saw:
 * span names with their parents, and the metric names recorded.
 * @param toConsole export to the console exporters as well (when run directly).
 */
export async function main(toConsole = false): Promise<string[]> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const spanExporters: SpanExporter[] = toConsole ? [spans, new ConsoleSpanExporter()] : [spans];
  const metricExporters: PushMetricExporter[] = toConsole
    ? [metrics, new ConsoleMetricExporter()]
    : [metrics];
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: spanExporters.map((exporter) => new SimpleSpanProcessor(exporter)),
  });
  const readers = metricExporters.map(
    (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 }),
  );
  const meterProvider = new MeterProvider({ readers });
  trace.setGlobalTracerProvider(tracerProvider);

  // Registered globally: every channel and server made from here on is instrumented.
  const plugin = new OpenTelemetryPlugin({ meterProvider, tracerProvider }).registerGlobal();
  const srv = server();
  try {
    addGreeterServicerToServer(greeter, srv);
    const port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const channel = insecureChannel(`127.0.0.1:${port}`);
    try {
      await GreeterStub(channel).sayHello({ name: 'Ada' }, { timeout: 5 });
      try {
        await channel.unaryUnary('/helloworld.Greeter/Unknown')(new Uint8Array(), { timeout: 5 });
      } catch {
        // UNIMPLEMENTED: recorded as a failed call, under the method name "other" on the server.
      }
    } finally {
      await channel.close();
    }
  } finally {
    await srv.stop(null);
    plugin.deregisterGlobal();
  }
  await meterProvider.forceFlush();
  await tracerProvider.forceFlush();

  const finished = spans.getFinishedSpans();
  const kinds = ['INTERNAL', 'SERVER', 'CLIENT'];
  const label = (span: (typeof finished)[number]) => `${span.name} (${kinds[span.kind] ?? 'other'})`;
  const byId = new Map(finished.map((span) => [span.spanContext().spanId, label(span)]));
  const lines = finished.map((span) => {
    const parent = span.parentSpanContext?.spanId;
    return `span ${label(span)} under ${parent === undefined ? 'nothing' : (byId.get(parent) ?? 'an unknown span')}`;
  });
  const recorded = new Set<string>();
  for (const resource of metrics.getMetrics())
    for (const scope of resource.scopeMetrics)
      for (const metric of scope.metrics)
        if (metric.dataPoints.length > 0) recorded.add(metric.descriptor.name);
  lines.push(...[...recorded].sort().map((name) => `metric ${name}`));
  await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
  context.disable();
  propagation.disable();
  trace.disable();
  return lines;
}

runIfMain(import.meta.url, () => main(true));
