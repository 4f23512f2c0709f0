// Review: the transport call is made before the recorder; a recorder that fails (old shape,
// clientCall() or attempt() throwing) leaves a grpc-js call that was created but never started
// nor cancelled: the grpc-js channel counts it forever, and its deadline timer keeps the process
// alive (even after close) until the deadline.
import type { CallTelemetry } from '@grpc-aio/core';
import { describe, expect, it } from 'vitest';
import { insecureChannel } from '../src/index.js';
import type { GrpcJsChannelTransport } from '../src/internal.js';

describe('a recorder that fails after the transport call was made', () => {
  it('leaves no grpc-js call behind', async () => {
    const old = { clientCall: () => ({ onEnd: () => {} }) } as unknown as CallTelemetry;
    const channel = insecureChannel('localhost:1', { telemetry: old });
    const internal = (channel.transport as GrpcJsChannelTransport).grpcJsChannel as unknown as {
      internalChannel: { callCount: number };
    };
    const before = internal.internalChannel.callCount;
    expect(() => channel.unaryUnary('/r.S/M')(Buffer.from('a'), { timeout: 3600 })).toThrow(TypeError);
    await channel.close();
    // The refused call is still counted by grpc-js (and its 1-hour deadline timer is armed, ref'd).
    expect(internal.internalChannel.callCount).toBe(before);
  });
});
