import { type ServicerContext, StatusCode } from '@grpc-aio/core';
import { unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import { serverFromHandlers } from '@grpc-aio/testing';
import { context, propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OpenTelemetryPlugin } from '../src/index.js';
import { withGlobalContext } from './otel.js';

// Review: a server call whose SERVER span has no valid span context (no tracer provider: metrics
// only) is recorded without `run`, so the handler no longer runs in the context the propagator
// extracted from the request metadata: propagated baggage is lost (it reached the handler before
// ServerCallRecorder/ScopedServerCallRecorder were split).

withGlobalContext(new W3CBaggagePropagator());

describe('the handler runs in the extracted context', () => {
  it('propagated baggage reaches the handler with a metrics-only plugin', async () => {
    // No tracerProvider: the global (no-op) one, as for an application that records metrics only.
    const plugin = new OpenTelemetryPlugin({ meterProvider: new MeterProvider() });
    const harness = serverFromHandlers(
      {
        'test.Baggage': {
          Read: unaryUnaryRpcMethodHandler(
            async (_request: unknown, _ctx: ServicerContext) =>
              propagation.getBaggage(context.active())?.getEntry('tenant')?.value ?? 'none',
          ),
        },
      },
      { telemetry: plugin },
    );
    const rpc = harness.invokeUnaryUnary('/test.Baggage/Read', 1, { metadata: [['baggage', 'tenant=acme']] });
    const termination = await rpc.termination();
    expect(termination.code).toBe(StatusCode.OK);
    expect(termination.response).toBe('acme');
  });
});
