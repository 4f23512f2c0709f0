import type { HandlerCallDetails, RpcMethodHandler } from '@grpc-aio/core';
import { Metadata } from '@grpc-aio/metadata';
import { describe, expect, it } from 'vitest';
import { runInRpcScope, runServerInterceptors, validateServerInterceptors } from '../internal.js';
import { RpcContextVar, type ServerInterceptor } from '../server.js';

const details: HandlerCallDetails = {
  method: '/pkg.Svc/Method',
  invocationMetadata: new Metadata(['k', 'v']),
};
const handler: RpcMethodHandler = {
  requestStreaming: false,
  responseStreaming: false,
  unaryUnary: () => 'x',
};

describe('server interceptor chain', () => {
  it('A67 runs interceptors in list order before the lookup, and returns the handler back out', async () => {
    const log: string[] = [];
    const tracer = (name: string): ServerInterceptor => ({
      async interceptService(continuation, d) {
        log.push(`${name} in`);
        const result = await continuation(d);
        log.push(`${name} out`);
        return result;
      },
    });
    const result = await runServerInterceptors([tracer('a'), tracer('b')], details, async (d) => {
      log.push(`lookup ${d.method}`);
      return handler;
    });
    expect(result).toBe(handler);
    expect(log).toEqual(['a in', 'b in', 'lookup /pkg.Svc/Method', 'b out', 'a out']);
  });

  it('A67 an interceptor may rewrite the details, replace the handler or decline', async () => {
    const rewrite: ServerInterceptor = {
      interceptService: (continuation, d) => continuation({ ...d, method: '/pkg.Svc/Other' }),
    };
    const seen: string[] = [];
    await runServerInterceptors([rewrite], details, async (d) => {
      seen.push(d.method);
      return handler;
    });
    expect(seen).toEqual(['/pkg.Svc/Other']);
    const decline: ServerInterceptor = { interceptService: () => null };
    expect(await runServerInterceptors([decline], details, async () => handler)).toBeNull();
  });

  it('A67 a throwing interceptor rejects the chain', async () => {
    const boom: ServerInterceptor = {
      interceptService() {
        throw new Error('denied');
      },
    };
    await expect(runServerInterceptors([boom], details, async () => handler)).rejects.toThrow('denied');
  });

  it('A3 A65 validation rejects non-interceptors with a clear TypeError', () => {
    expect(validateServerInterceptors(undefined)).toEqual([]);
    expect(() => validateServerInterceptors([{ interceptService() {} }, 42])).toThrow(
      'Interceptor at index 1 must be a ServerInterceptor (an object with interceptService), got number.',
    );
    expect(() => validateServerInterceptors('x' as never)).toThrow('Server interceptors must be an array.');
  });
});

describe('RpcContextVar', () => {
  it('A67 a value set by an interceptor is read by the handler of the same RPC only', async () => {
    const user = new RpcContextVar<string>('user', { defaultValue: 'anonymous' });
    const auth: ServerInterceptor = {
      async interceptService(continuation, d) {
        user.set(String(d.invocationMetadata.get('k')));
        return continuation(d);
      },
    };
    const serve = (value: string) =>
      runInRpcScope(async () => {
        const found = await runServerInterceptors(
          [auth],
          { method: '/m', invocationMetadata: new Metadata(['k', value]) },
          async () => handler,
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { found, user: user.get() };
      });
    const [first, second] = await Promise.all([serve('alice'), serve('bob')]);
    expect(first.user).toBe('alice');
    expect(second.user).toBe('bob');
    expect(user.get()).toBe('anonymous');
  });

  it('set outside an RPC throws a clear error', () => {
    expect(() => new RpcContextVar('x').set(1)).toThrow(
      'RpcContextVar "x" can only be set while serving an RPC.',
    );
  });

  it("refuses an option it does not take (Python's default= is defaultValue)", () => {
    expect(() => new RpcContextVar('x', { default: 1 } as never)).toThrow(
      new TypeError(
        "new RpcContextVar() does not take the option 'default' (Python's default= is defaultValue); it takes 'defaultValue'.",
      ),
    );
  });
});
