import { context, propagation, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect } from 'vitest';
import { OpenTelemetryPlugin, type OpenTelemetryPluginOptions } from '../src/index.js';

// The OpenTelemetry SDK's in-memory side of the tests: a plugin recording into a metric reader and
// a span exporter that the test reads.

/** An in-memory metric reader: `collect()` on demand. */
export class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Setup {
  readonly plugin: OpenTelemetryPlugin;
  readonly reader: TestReader;
  readonly spans: InMemorySpanExporter;
  readonly tracerProvider: BasicTracerProvider;
}

export function setup(
  options: Omit<OpenTelemetryPluginOptions, 'meterProvider' | 'tracerProvider'> = {},
): Setup {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const plugin = new OpenTelemetryPlugin({ ...options, meterProvider, tracerProvider });
  return { plugin, reader, spans, tracerProvider };
}

export async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const result = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.dataPoints.length > 0) result.set(metric.descriptor.name, metric);
    }
  }
  return result;
}

/** The data points of `name` as [attributes, value] (a histogram's value: its count and sum). */
export function points(metrics: Map<string, MetricData>, name: string): unknown[] {
  const metric = metrics.get(name);
  if (metric === undefined) return [];
  return (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) =>
    typeof point.value === 'number'
      ? [point.attributes, point.value]
      : [point.attributes, { count: point.value.count, sum: point.value.sum }],
  );
}

/**
 * For the tests of a file: a context manager (AsyncLocalStorage) and a global propagator (W3C trace
 * context unless told otherwise), as an application with the SDK sets them; removed afterwards.
 */
export function withGlobalContext(propagator: TextMapPropagator = new W3CTraceContextPropagator()): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(propagator);
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });
}
