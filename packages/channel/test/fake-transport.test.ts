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
  StreamUnaryCallImpl,
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

  // As Python's grpc.aio: the callbacks run in order and the first that throws stops the rest. It is
  // logged naming the method (Python lets it escape into `await call` or the event loop's log);
  // the call itself is not affected.
  it('A22 done callbacks stop at the first that throws, which is logged; the call is unaffected', async () => {
    const transport = new FakeCall();
    const call = new UnaryUnaryCallImpl(
      { transport, method: '/pkg.Svc/Do' },
      new Metadata(),
      Uint8Array.of(1),
    );
    const seen: unknown[] = [];
    const broke = new Error('callback broke');
    const original = console.error;
    console.error = (...args: unknown[]) => seen.push(args);
    try {
      call.addDoneCallback(() => seen.push('first'));
      call.addDoneCallback(() => {
        throw broke;
      });
      call.addDoneCallback(() => seen.push('third'));
      transport.listener!.onTransportStatus({
        code: StatusCode.UNAVAILABLE,
        details: 'down',
        metadata: new Metadata(),
      });
      call.addDoneCallback(() => {
        throw broke;
      });
      call.addDoneCallback(() => seen.push('late'));
    } finally {
      console.error = original;
    }
    expect(seen).toEqual([
      'first',
      ['Error in callback for method [/pkg.Svc/Do]', broke],
      ['Error in callback for method [/pkg.Svc/Do]', broke],
      'late',
    ]);
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

/** A transport whose write callbacks the test runs by hand (one message in flight at a time). */
class HeldWrites extends FakeCall {
  callbacks: ((error?: Error | null) => void)[] = [];
  override sendMessage(message: Uint8Array, callback: (error?: Error | null) => void): void {
    this.sent.push(message);
    this.callbacks.push(callback);
  }
  /** Completes the oldest write the transport holds. */
  complete(error?: Error): void {
    this.callbacks.shift()!(error);
  }
}

async function settled(promise: Promise<unknown>): Promise<string> {
  let state = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  return state;
}

describe('A26 A28 writes waiting for the transport', () => {
  it('writes go to the transport one at a time, in order, and the half-close after them', async () => {
    const transport = new HeldWrites();
    const call = new StreamUnaryCallImpl({ transport }, new Metadata());
    const writes = Array.from({ length: 3 }, (_, index) => call.write(Uint8Array.of(index)));
    expect(transport.sent).toEqual([Uint8Array.of(0)]);
    expect(await settled(writes[0]!)).toBe('pending');
    await call.doneWriting();
    transport.complete();
    expect(await settled(writes[0]!)).toBe('resolved');
    expect(await settled(writes[1]!)).toBe('pending');
    expect(transport.halfClosed).toBe(false);
    transport.complete();
    transport.complete();
    expect(await settled(writes[2]!)).toBe('resolved');
    expect(transport.sent.map((bytes) => bytes[0])).toEqual([0, 1, 2]);
    expect(transport.halfClosed).toBe(true);
  });

  it('a waiting write rejects with the AioRpcError when the RPC fails', async () => {
    const transport = new HeldWrites();
    const call = new StreamUnaryCallImpl({ transport }, new Metadata());
    const waiting = call.write(Uint8Array.of(1));
    transport.listener!.onTransportStatus({
      code: StatusCode.UNAVAILABLE,
      details: 'gone',
      metadata: new Metadata(),
    });
    const error = await waiting.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AioRpcError);
    expect((error as AioRpcError).code()).toBe(StatusCode.UNAVAILABLE);
    await expect(call.write(Uint8Array.of(1))).rejects.toThrow('RPC already finished.');
    await expect(call).rejects.toBe(error);
  });

  it('a waiting write resolves when the server ends the RPC OK first', async () => {
    const transport = new HeldWrites();
    const call = new StreamUnaryCallImpl({ transport }, new Metadata());
    const waiting = call.write(Uint8Array.of(1));
    transport.listener!.onTransportMessage(Uint8Array.of(42));
    transport.listener!.onTransportStatus({ code: StatusCode.OK, details: '', metadata: new Metadata() });
    await expect(waiting).resolves.toBeUndefined();
    expect(await call).toEqual(Uint8Array.of(42));
  });
});
