// The call classes over a hand-driven transport: the same objects the testing package's fake
// channel will drive.
import { ChannelConnectivity, EOF, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { describe, expect, it } from 'vitest';
import {
  type CallTransport,
  type ChannelTransport,
  ClientChannel,
  StreamStreamCallImpl,
  type TransportListener,
  UnaryUnaryCallImpl,
} from '../src/internal.js';

class FakeCall implements CallTransport {
  listener: TransportListener | undefined;
  metadata: Metadata | undefined;
  sent: Uint8Array[] = [];
  reads = 0;
  halfClosed = false;
  cancelled: [number, string] | undefined;
  start(metadata: Metadata, listener: TransportListener): void {
    this.metadata = metadata;
    this.listener = listener;
  }
  sendMessage(message: Uint8Array, callback: (error?: Error | null) => void): void {
    this.sent.push(message);
    queueMicrotask(() => callback());
  }
  startRead(): void {
    this.reads++;
  }
  halfClose(): void {
    this.halfClosed = true;
  }
  cancel(code: StatusCode, details: string): void {
    this.cancelled = [code, details];
    this.listener?.onTransportStatus({ code, details, metadata: new Metadata() });
  }
  getPeer(): string {
    return 'fake';
  }
}

class FakeChannel implements ChannelTransport {
  readonly secure = false;
  calls: [string, number, FakeCall][] = [];
  state: ChannelConnectivity = ChannelConnectivity.IDLE;
  createCall(method: string, deadline: number): CallTransport {
    const call = new FakeCall();
    this.calls.push([method, deadline, call]);
    return call;
  }
  getState(): ChannelConnectivity {
    return this.state;
  }
  watchState(_current: ChannelConnectivity, callback: () => void): void {
    queueMicrotask(callback);
  }
  close(): void {}
}

describe('call objects over a fake transport', () => {
  it('a unary call: metadata, request, response, status', async () => {
    const transport = new FakeCall();
    const call = new UnaryUnaryCallImpl({ transport }, new Metadata(['k', 'v']), Uint8Array.of(1));
    expect(transport.metadata?.get('k')).toBe('v');
    expect(transport.sent).toEqual([Uint8Array.of(1)]);
    expect(transport.halfClosed).toBe(true);
    transport.listener!.onTransportMetadata(new Metadata(['a', 'b']));
    transport.listener!.onTransportMessage(Uint8Array.of(9));
    transport.listener!.onTransportStatus({
      code: StatusCode.OK,
      details: '',
      metadata: new Metadata(['t', 'u']),
    });
    expect(await call).toEqual(Uint8Array.of(9));
    expect((await call.initialMetadata()).get('a')).toBe('b');
    expect((await call.trailingMetadata()).get('t')).toBe('u');
    expect(call.peer()).toBe('fake');
  });

  it('A22 a throwing done callback does not break the others', async () => {
    const transport = new FakeCall();
    const call = new UnaryUnaryCallImpl({ transport }, new Metadata(), Uint8Array.of(1));
    const seen: string[] = [];
    const original = console.error;
    console.error = () => seen.push('logged');
    try {
      call.addDoneCallback(() => {
        throw new Error('callback broke');
      });
      call.addDoneCallback(() => seen.push('second'));
      transport.listener!.onTransportStatus({
        code: StatusCode.UNAVAILABLE,
        details: 'down',
        metadata: new Metadata(),
      });
    } finally {
      console.error = original;
    }
    expect(seen).toEqual(['logged', 'second']);
    await expect(call).rejects.toBeInstanceOf(AioRpcError);
  });

  it('overlapping reads are served in order; messages after a status are ignored', async () => {
    const transport = new FakeCall();
    const call = new StreamStreamCallImpl({ transport }, new Metadata());
    const first = call.read();
    const second = call.read();
    transport.listener!.onTransportMessage(Uint8Array.of(1));
    transport.listener!.onTransportMessage(Uint8Array.of(2));
    transport.listener!.onTransportStatus({ code: StatusCode.OK, details: '', metadata: new Metadata() });
    transport.listener!.onTransportMessage(Uint8Array.of(3));
    expect(await first).toEqual(Uint8Array.of(1));
    expect(await second).toEqual(Uint8Array.of(2));
    expect(await call.read()).toBe(EOF);
  });

  it('a ClientChannel over a fake channel transport passes method and deadline', async () => {
    const fake = new FakeChannel();
    const channel = new ClientChannel(fake);
    const before = Date.now();
    const call = channel.unaryUnary('/s/M')(Uint8Array.of(1), { timeout: 10 });
    const [method, deadline, transport] = fake.calls[0]!;
    expect(method).toBe('/s/M');
    expect(deadline).toBeGreaterThanOrEqual(before + 10_000);
    transport.listener!.onTransportMessage(Uint8Array.of(2));
    transport.listener!.onTransportStatus({ code: StatusCode.OK, details: '', metadata: new Metadata() });
    expect(await call).toEqual(Uint8Array.of(2));
    expect(channel.getState()).toBe(ChannelConnectivity.IDLE);
    await channel.close();
    expect(channel.getState()).toBe(ChannelConnectivity.SHUTDOWN);
  });
});
