import type {
  Channel,
  EOF,
  StreamStreamCall,
  StreamUnaryCall,
  UnaryStreamCall,
  UnaryUnaryCall,
  UnaryUnaryMultiCallable,
} from '@grpc-aio/core';
import { describe, expectTypeOf, it } from 'vitest';
import { type ClientChannel, insecureChannel } from '../src/index.js';

describe('channel types', () => {
  it('implements the core contracts', () => {
    expectTypeOf<ClientChannel>().toExtend<Channel>();
    const channel = insecureChannel('localhost:1');
    const unary = channel.unaryUnary(
      '/s/M',
      (value: { a: number }) => Uint8Array.of(value.a),
      (bytes) => bytes.length,
    );
    expectTypeOf(unary).toExtend<UnaryUnaryMultiCallable<{ a: number }, number>>();
    expectTypeOf(unary({ a: 1 })).toExtend<UnaryUnaryCall<{ a: number }, number>>();
    expectTypeOf(unary({ a: 1 })).toExtend<PromiseLike<number>>();
    expectTypeOf(channel.unaryStream('/s/M')(Uint8Array.of())).toExtend<
      UnaryStreamCall<Uint8Array, Uint8Array>
    >();
    expectTypeOf(channel.unaryStream('/s/M')(Uint8Array.of()).read()).toEqualTypeOf<
      Promise<Uint8Array | EOF>
    >();
    expectTypeOf(channel.streamUnary('/s/M')()).toExtend<StreamUnaryCall<Uint8Array, Uint8Array>>();
    expectTypeOf(channel.streamStream('/s/M')()).toExtend<StreamStreamCall<Uint8Array, Uint8Array>>();
  });
});
