import * as grpc from '@grpc/grpc-js';
import { type HandlerCallDetails, StatusCode } from '@grpc-aio/core';
import { METHOD_NOT_FOUND } from '@grpc-aio/errors';
import { RpcContextVar, type ServerInterceptor } from '@grpc-aio/interceptors/server';
import { bytes, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  methodHandlersGenericHandler,
  type ServicerContext,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { startServer } from './helpers.js';

const user = new RpcContextVar<string>('user');

describe('server interceptors', () => {
  it('A67 run in list order before the lookup, with the invocation metadata; RpcContextVar reaches the handler', async () => {
    const order: string[] = [];
    const record = (name: string): ServerInterceptor => ({
      async interceptService(continuation, details) {
        order.push(`${name}:${details.method}:${details.invocationMetadata.get('x-user')}`);
        if (name === 'first') user.set(String(details.invocationMetadata.get('x-user')));
        const handler = await continuation(details);
        order.push(`${name}:after`);
        return handler;
      },
    });
    const { client } = await startServer(
      (srv) =>
        srv.addGenericRpcHandlers([
          {
            service(details: HandlerCallDetails) {
              order.push(`lookup:${details.method}`);
              return methodHandlersGenericHandler('t.S', {
                Who: unaryUnaryRpcMethodHandler(() => `user=${user.get()}`, text, bytes),
              }).service(details);
            },
          },
        ]),
      { interceptors: [record('first'), record('second')] },
    );
    const metadata = new grpc.Metadata();
    metadata.set('x-user', 'ada');
    const outcome = await unary(client, '/t.S/Who', 'x', { metadata });
    expect(outcome.responses).toEqual(['user=ada']);
    expect(order).toEqual([
      'first:/t.S/Who:ada',
      'second:/t.S/Who:ada',
      'lookup:/t.S/Who',
      'second:after',
      'first:after',
    ]);
    // Each RPC has its own scope.
    metadata.set('x-user', 'bob');
    expect((await unary(client, '/t.S/Who', 'x', { metadata })).responses).toEqual(['user=bob']);
  });

  it('A67 an interceptor that declines (returns null) gives UNIMPLEMENTED', async () => {
    const { client } = await startServer(
      (srv) =>
        srv.addGenericRpcHandlers([
          methodHandlersGenericHandler('t.S', {
            M: unaryUnaryRpcMethodHandler(() => 'served', text, bytes),
          }),
        ]),
      { interceptors: [{ interceptService: () => null }] },
    );
    const outcome = await unary(client, '/t.S/M', 'x');
    expect(outcome.status).toMatchObject({ code: StatusCode.UNIMPLEMENTED, details: METHOD_NOT_FOUND });
  });

  it('A67 an interceptor may route to another method or wrap the handler', async () => {
    const { client } = await startServer(
      (srv) =>
        srv.addGenericRpcHandlers([
          methodHandlersGenericHandler('t.S', {
            Real: unaryUnaryRpcMethodHandler((r: string) => `real ${r}`, text, bytes),
          }),
        ]),
      {
        interceptors: [
          {
            async interceptService(continuation, details) {
              const handler = await continuation({ ...details, method: '/t.S/Real' });
              if (!handler?.unaryUnary) return handler;
              const inner = handler.unaryUnary;
              return {
                ...handler,
                unaryUnary: async (request: unknown, context: ServicerContext) =>
                  `[${await inner(request, context)}]`,
              };
            },
          },
        ],
      },
    );
    expect((await unary(client, '/t.S/Alias', 'x')).responses).toEqual(['[real x]']);
  });

  it('A67 an interceptor that throws gives UNKNOWN with its error', async () => {
    const { client } = await startServer(() => {}, {
      interceptors: [
        {
          interceptService() {
            throw new Error('interceptor broke');
          },
        },
      ],
    });
    const outcome = await unary(client, '/t.S/M', 'x');
    expect(outcome.status).toMatchObject({
      code: StatusCode.UNKNOWN,
      details: 'Unexpected Error: interceptor broke',
    });
  });
});
