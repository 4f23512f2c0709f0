import { describe, expectTypeOf, it } from 'vitest';
import type {
  Call,
  Channel,
  ClientInterceptor,
  RpcContext,
  Server,
  ServerInterceptor,
  ServicerContext,
  StreamStreamCall,
  StreamStreamClientInterceptor,
  StreamStreamMultiCallable,
  StreamUnaryCall,
  StreamUnaryClientInterceptor,
  StreamUnaryMultiCallable,
  UnaryStreamCall,
  UnaryStreamClientInterceptor,
  UnaryStreamMultiCallable,
  UnaryUnaryCall,
  UnaryUnaryClientInterceptor,
  UnaryUnaryMultiCallable,
} from '../src/index.js';
import { insecureChannel, server } from '../src/index.js';

describe('type-only names of grpc.aio.__all__', () => {
  it('A18 A19 the call contracts relate as in Python', () => {
    expectTypeOf<Call>().toExtend<RpcContext>();
    expectTypeOf<UnaryUnaryCall<string, number>>().toExtend<Call>();
    expectTypeOf<UnaryUnaryCall<string, number>>().toExtend<PromiseLike<number>>();
    expectTypeOf<UnaryStreamCall<string, number>>().toExtend<AsyncIterable<number>>();
    expectTypeOf<StreamUnaryCall<string, number>>().toExtend<PromiseLike<number>>();
    expectTypeOf<StreamStreamCall<string, number>>().toExtend<AsyncIterable<number>>();
  });

  it('A32..A36 multi-callables return their call kinds', () => {
    expectTypeOf<ReturnType<UnaryUnaryMultiCallable<string, number>>>().toEqualTypeOf<
      UnaryUnaryCall<string, number>
    >();
    expectTypeOf<ReturnType<UnaryStreamMultiCallable<string, number>>>().toEqualTypeOf<
      UnaryStreamCall<string, number>
    >();
    expectTypeOf<ReturnType<StreamUnaryMultiCallable<string, number>>>().toEqualTypeOf<
      StreamUnaryCall<string, number>
    >();
    expectTypeOf<ReturnType<StreamStreamMultiCallable<string, number>>>().toEqualTypeOf<
      StreamStreamCall<string, number>
    >();
  });

  it('A1 A3 channels and servers', () => {
    expectTypeOf(insecureChannel).returns.toEqualTypeOf<Channel>();
    expectTypeOf(server).returns.toEqualTypeOf<Server>();
    expectTypeOf<ServicerContext>().toHaveProperty('abort');
  });

  it('A63 A67 interceptor interfaces exist', () => {
    expectTypeOf<UnaryUnaryClientInterceptor>().toHaveProperty('interceptUnaryUnary');
    expectTypeOf<UnaryStreamClientInterceptor>().toHaveProperty('interceptUnaryStream');
    expectTypeOf<StreamUnaryClientInterceptor>().toHaveProperty('interceptStreamUnary');
    expectTypeOf<StreamStreamClientInterceptor>().toHaveProperty('interceptStreamStream');
    expectTypeOf<ServerInterceptor>().toHaveProperty('interceptService');
    expectTypeOf<ClientInterceptor>().not.toBeNever();
  });
});

describe('grpc-aio/testing', () => {
  it('has the types of @grpc-aio/testing, MethodRef included', () => {
    expectTypeOf<import('../src/testing.js').MethodRef<string, number>>().toEqualTypeOf<
      import('@grpc-aio/testing').MethodRef<string, number>
    >();
  });
});
