import type { Serializer } from '@grpc-aio/core';
import { expectTypeOf, test } from 'vitest';
import { fakeChannel, serverFromHandlers } from '../src/index.js';

interface Ask {
  question: string;
}
interface Answer {
  answer: number;
}
/** What a generated or loaded method descriptor has (the fakes need only the path and codecs). */
declare const Ask: {
  readonly path: '/q.Oracle/Ask';
  readonly kind: 'unaryUnary';
  readonly requestSerializer: Serializer<Ask>;
  readonly responseSerializer: Serializer<Answer>;
};

test('takes and invokes infer request and response types from a method descriptor', async () => {
  const channel = fakeChannel();
  const { request, rpc } = await channel.takeUnaryUnary(Ask);
  expectTypeOf(request).toEqualTypeOf<Ask>();
  expectTypeOf(rpc.terminate).parameter(0).toEqualTypeOf<Answer | undefined>();
  channel.handle(Ask, (asked) => {
    expectTypeOf(asked).toEqualTypeOf<Ask>();
    return { answer: 42 };
  });
  const server = serverFromHandlers([]);
  const termination = await server.invokeUnaryUnary(Ask, { question: 'why?' }).termination();
  expectTypeOf(termination.response).toEqualTypeOf<Answer | undefined>();
  // @ts-expect-error the request must be an Ask
  server.invokeUnaryUnary(Ask, { question: 42 });
  // A path still works, untyped.
  const untyped = await channel.takeUnaryUnary('/q.Oracle/Ask');
  expectTypeOf(untyped.request).toBeAny();
});
