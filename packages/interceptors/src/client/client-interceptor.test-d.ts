import type { Channel, StreamStreamCall, UnaryStreamCall, UnaryUnaryCall } from '@grpc-aio/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { ClientCallDetails } from './client-call-details.js';
import type {
  ClientInterceptor,
  StreamStreamClientInterceptor,
  UnaryStreamClientInterceptor,
  UnaryUnaryClientInterceptor,
  UnaryUnaryContinuation,
} from './client-interceptor.js';
import { interceptChannel } from './intercept-channel.js';
import type { InterceptedUnaryUnaryCall } from './intercepted-call.js';

interface Hello {
  name: string;
}
interface Reply {
  message: string;
}

describe('client interceptor typing', () => {
  it('continuation returns the call synchronously; awaiting it gives the response', () => {
    expectTypeOf<ReturnType<UnaryUnaryContinuation<Hello, Reply>>>().toEqualTypeOf<
      UnaryUnaryCall<Hello, Reply>
    >();
    expectTypeOf<Awaited<ReturnType<UnaryUnaryContinuation<Hello, Reply>>>>().toEqualTypeOf<Reply>();
    expectTypeOf<UnaryUnaryContinuation['signal']>().toEqualTypeOf<AbortSignal>();
  });

  it('a typed interceptor may return the call, a response, or a promise of either', () => {
    const typed: UnaryUnaryClientInterceptor<Hello, Reply> = {
      interceptUnaryUnary(continuation, details, request) {
        expectTypeOf(details).toEqualTypeOf<ClientCallDetails>();
        expectTypeOf(request).toEqualTypeOf<Hello>();
        if (request.name === '') return { message: 'anonymous' };
        return continuation(details, request);
      },
    };
    const asyncTyped: UnaryUnaryClientInterceptor<Hello, Reply> = {
      async interceptUnaryUnary(continuation, details, request) {
        const response = await continuation(details, request);
        expectTypeOf(response).toEqualTypeOf<Reply>();
        return response;
      },
    };
    // @ts-expect-error a number is neither a Reply nor a call
    const wrong: UnaryUnaryClientInterceptor<Hello, Reply> = { interceptUnaryUnary: () => 42 };
    expectTypeOf(interceptChannel).parameter(0).toEqualTypeOf<Channel>();
    expectTypeOf(interceptChannel({} as Channel, typed, asyncTyped, wrong)).toEqualTypeOf<Channel>();
  });

  it('streaming interceptors may return the call or an async iterable of responses', () => {
    const mapped: UnaryStreamClientInterceptor<Hello, Reply> = {
      async interceptUnaryStream(continuation, details, request) {
        const call = continuation(details, request);
        expectTypeOf(call).toEqualTypeOf<UnaryStreamCall<Hello, Reply>>();
        return (async function* () {
          for await (const reply of call) yield { message: reply.message.toUpperCase() };
        })();
      },
    };
    const pass: StreamStreamClientInterceptor<Hello, Reply> = {
      interceptStreamStream: (continuation, details, requests) => {
        const call = continuation(details, requests);
        expectTypeOf(call).toEqualTypeOf<StreamStreamCall<Hello, Reply>>();
        return call;
      },
    };
    expectTypeOf(mapped).toMatchTypeOf<ClientInterceptor>();
    expectTypeOf(pass).toMatchTypeOf<ClientInterceptor>();
  });

  it('the intercepted unary call is a UnaryUnaryCall', () => {
    expectTypeOf<InterceptedUnaryUnaryCall<Hello, Reply>>().toMatchTypeOf<UnaryUnaryCall<Hello, Reply>>();
  });
});
