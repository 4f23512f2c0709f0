import { EOF, type RpcMethodHandler, type ServicerContext, StatusCode } from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  CancelledError,
  INITIAL_METADATA_ALREADY_SENT,
  METHOD_NOT_FOUND,
  UsageError,
} from '@grpc-aio/errors';
import { RpcContextVar, type ServerInterceptor } from '@grpc-aio/interceptors/server';
import { Metadata } from '@grpc-aio/metadata';
import {
  CANCELLED_BY_CLIENT,
  CANCELLED_BY_DEADLINE,
  methodHandlersGenericHandler,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
  WRITE_ON_UNARY_RESPONSE,
} from '@grpc-aio/server';
import { describe, expect, it } from 'vitest';
import {
  FAKE_CLIENT_PEER,
  FAKE_DEADLINE_EXCEEDED,
  REQUESTS_ALREADY_CLOSED,
  serverFromHandlers,
} from '../src/index.js';
import { strictFakeTime } from '../src/time.js';

const service = (methods: Record<string, RpcMethodHandler>) =>
  methodHandlersGenericHandler('test.Svc', methods);

describe('serverFromHandlers', () => {
  it('refuses options, and option values, it does not take, naming them; so do the invoke*() methods', () => {
    expect(() => serverFromHandlers([], { peer: 42 } as never)).toThrow(
      new TypeError('serverFromHandlers() option peer must be a string, got number.'),
    );
    expect(() => serverFromHandlers([], { takeTimeout: -1 })).toThrow(
      new TypeError('serverFromHandlers() option takeTimeout must be a number of seconds >= 0, got -1.'),
    );
    const server = serverFromHandlers(service({}));
    expect(() => server.invokeUnaryUnary('/test.Svc/Greet', {}, { deadline: 1 } as never)).toThrow(
      new TypeError(
        "invokeUnaryUnary() does not take the option 'deadline' (give timeout, in seconds); it takes 'metadata', 'timeout'.",
      ),
    );
    expect(() =>
      server.invokeStreamStream('/test.Svc/Chat', { signal: undefined, headers: [] } as never),
    ).toThrow("invokeStreamStream() does not take the option 'headers'");
  });

  it('A78 A54 unary-unary: the handler sees request and metadata; termination has response and status', async () => {
    const server = serverFromHandlers(
      service({
        Greet: unaryUnaryRpcMethodHandler(async (request: { name: string }, context) => {
          await context.sendInitialMetadata([['initial', 'i']]);
          context.setTrailingMetadata([['trailing', 't']]);
          return { message: `hi ${request.name} (${context.invocationMetadata().get('who')})` };
        }),
      }),
    );
    const rpc = server.invokeUnaryUnary('/test.Svc/Greet', { name: 'ada' }, { metadata: [['who', 'me']] });
    expect((await rpc.initialMetadata()).get('initial')).toBe('i');
    const { response, trailingMetadata, code, details } = await rpc.termination();
    expect(response).toEqual({ message: 'hi ada (me)' });
    expect([...trailingMetadata]).toEqual([['trailing', 't']]);
    expect([code, details]).toEqual([StatusCode.OK, '']);
  });

  it('A78 A61 unary-stream (async generator): takeResponse, then a clear error after the end', async () => {
    const server = serverFromHandlers({
      'test.Svc': {
        Count: unaryStreamRpcMethodHandler(async function* (request: number) {
          for (let index = 0; index < request; index++) yield index;
        }),
      },
    });
    const rpc = server.invokeUnaryStream('/test.Svc/Count', 2);
    expect(await rpc.takeResponse()).toBe(0);
    expect(await rpc.takeResponse()).toBe(1);
    await expect(rpc.takeResponse()).rejects.toThrow(
      'takeResponse() on /test.Svc/Count: the RPC ended with StatusCode.OK "" and no further response.',
    );
    expect((await rpc.termination()).code).toBe(StatusCode.OK);
    expect(await rpc.initialMetadata()).toEqual(new Metadata());
  });

  it('A78 A49 stream-unary: sendRequest, requestsClosed; the handler iterates until EOF', async () => {
    const server = serverFromHandlers(
      service({
        Sum: streamUnaryRpcMethodHandler(async (requests: AsyncIterable<number>) => {
          let sum = 0;
          for await (const request of requests) sum += request;
          return sum;
        }),
      }),
    );
    const rpc = server.invokeStreamUnary('/test.Svc/Sum');
    rpc.sendRequest(1);
    rpc.sendRequest(2);
    rpc.closeRequests();
    expect(() => rpc.sendRequest(3)).toThrow(new UsageError(REQUESTS_ALREADY_CLOSED));
    expect((await rpc.termination()).response).toBe(3);
  });

  it('A49 A61 stream-stream with read()/write(), then iteration after EOF (styles mix, as in Python)', async () => {
    const seen: unknown[] = [];
    const server = serverFromHandlers(
      service({
        Echo: streamStreamRpcMethodHandler(async (requests: AsyncIterable<string>, context) => {
          for (;;) {
            const request = await context.read();
            if (request === EOF) break;
            await context.write(request.toUpperCase());
          }
          seen.push(await context.read());
          seen.push(await requests[Symbol.asyncIterator]().next());
        }),
      }),
    );
    const rpc = server.invokeStreamStream('/test.Svc/Echo');
    rpc.sendRequest('a');
    expect(await rpc.takeResponse()).toBe('A');
    rpc.sendRequest('b');
    expect(await rpc.takeResponse()).toBe('B');
    rpc.closeRequests();
    expect((await rpc.termination()).code).toBe(StatusCode.OK);
    expect(seen).toEqual([EOF, { done: true, value: undefined }]);
  });

  it('A51 A8 abort(): status sent now, AbortError thrown; a swallowed abort still wins; a second abort is a UsageError', async () => {
    const errors: unknown[] = [];
    const server = serverFromHandlers(
      service({
        Deny: unaryUnaryRpcMethodHandler(async (_request, context) => {
          context.setDetails('earlier');
          try {
            await context.abort(StatusCode.PERMISSION_DENIED, '', [['reason', 'x']]);
          } catch (error) {
            errors.push(error);
          }
          await context.abort(StatusCode.INTERNAL).catch((error: unknown) => errors.push(error));
          return 'ignored';
        }),
      }),
    );
    const termination = await server.invokeUnaryUnary('/test.Svc/Deny', null).termination();
    expect(termination.response).toBeUndefined();
    expect([termination.code, termination.details, termination.trailingMetadata.get('reason')]).toEqual([
      StatusCode.PERMISSION_DENIED,
      'earlier',
      'x',
    ]);
    await expect.poll(() => errors.length).toBe(2);
    expect(errors[0]).toBeInstanceOf(AbortError);
    expect(errors[1]).toEqual(new UsageError(ABORT_ALREADY_CALLED));
  });

  it('A55 A56 setCode drops the response; a thrown error is UNKNOWN unless a code was set', async () => {
    let mode = '';
    const server = serverFromHandlers(
      service({
        Do: unaryUnaryRpcMethodHandler(async (_request, context) => {
          if (mode === 'set') context.setCode(StatusCode.INTERNAL);
          if (mode === 'throw') throw new TypeError('bad');
          if (mode === 'set-throw') {
            context.setCode(StatusCode.ABORTED);
            context.setDetails('conflict');
            throw new Error('x');
          }
          return 'response';
        }),
      }),
    );
    const run = async (next: string) => {
      mode = next;
      const { response, code, details } = await server.invokeUnaryUnary('/test.Svc/Do', null).termination();
      return [response, code, details];
    };
    expect(await run('set')).toEqual([undefined, StatusCode.INTERNAL, '']);
    expect(await run('throw')).toEqual([undefined, StatusCode.UNKNOWN, 'Unexpected TypeError: bad']);
    expect(await run('set-throw')).toEqual([undefined, StatusCode.ABORTED, 'Unexpected Error: x']);
    expect(await run('')).toEqual(['response', StatusCode.OK, '']);
  });

  it('A50 sendInitialMetadata twice, and write() on a unary response, are UsageErrors', async () => {
    const errors: unknown[] = [];
    const server = serverFromHandlers(
      service({
        Meta: unaryUnaryRpcMethodHandler(async (_request, context: ServicerContext) => {
          await context.sendInitialMetadata([]);
          await context.sendInitialMetadata([]).catch((error: unknown) => errors.push(error));
          await context.write('x').catch((error: unknown) => errors.push(error));
          return 'ok';
        }),
      }),
    );
    expect((await server.invokeUnaryUnary('/test.Svc/Meta', null).termination()).code).toBe(StatusCode.OK);
    expect(errors).toEqual([
      new UsageError(INITIAL_METADATA_ALREADY_SENT),
      new UsageError(WRITE_ON_UNARY_RESPONSE),
    ]);
  });

  it('A59 A60 deadlines follow fake time: timeRemaining, then the signal aborts and the status is DEADLINE_EXCEEDED', async () => {
    const time = strictFakeTime(50);
    let context: ServicerContext | undefined;
    const server = serverFromHandlers(
      service({
        Wait: unaryUnaryRpcMethodHandler((_request, ctx) => {
          context = ctx;
          return new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        }),
      }),
      { time },
    );
    const rpc = server.invokeUnaryUnary('/test.Svc/Wait', null, { timeout: 5 });
    await expect.poll(() => context).toBeDefined();
    expect(context!.timeRemaining()).toBe(5);
    await time.advance(2);
    expect(context!.timeRemaining()).toBe(3);
    await time.advance(3);
    expect(context!.signal.reason).toEqual(new CancelledError(CANCELLED_BY_DEADLINE));
    expect(context!.cancelled()).toBe(true);
    const { code, details } = await rpc.termination();
    expect([code, details]).toEqual([StatusCode.DEADLINE_EXCEEDED, FAKE_DEADLINE_EXCEEDED]);
  });

  it('A59 A60 cancel(): the pending read rejects, done callbacks run, termination is CANCELLED', async () => {
    const seen: unknown[] = [];
    const server = serverFromHandlers(
      service({
        Read: streamUnaryRpcMethodHandler(async (_requests, context) => {
          context.addDoneCallback((done) => seen.push(done.cancelled()));
          try {
            await context.read();
          } catch (error) {
            seen.push(error);
          }
          return 'late';
        }),
      }),
    );
    const rpc = server.invokeStreamUnary('/test.Svc/Read');
    await expect.poll(() => seen.length).toBe(0);
    rpc.cancel();
    const { code, response } = await rpc.termination();
    expect([code, response]).toEqual([StatusCode.CANCELLED, undefined]);
    await expect.poll(() => seen).toEqual([true, new CancelledError(CANCELLED_BY_CLIENT)]);
  });

  it('A48 A58 unknown methods are UNIMPLEMENTED; peer and auth context have insecure defaults', async () => {
    let peer: unknown;
    const server = serverFromHandlers({
      'test.Svc': {
        Peer: unaryUnaryRpcMethodHandler((_request, context) => {
          peer = [
            context.peer(),
            context.peerIdentities(),
            Buffer.from(context.authContext().security_level![0]!).toString(),
          ];
          return 'ok';
        }),
      },
    });
    expect(await server.invokeUnaryUnary('/test.Svc/Missing', null).termination()).toEqual({
      trailingMetadata: new Metadata(),
      code: StatusCode.UNIMPLEMENTED,
      details: METHOD_NOT_FOUND,
    });
    await server.invokeUnaryUnary('/test.Svc/Peer', null).termination();
    expect(peer).toEqual([FAKE_CLIENT_PEER, undefined, 'TSI_SECURITY_NONE']);
  });

  it('A66 A78 server interceptors run, so an auth interceptor can be unit-tested', async () => {
    const deny: RpcMethodHandler = unaryUnaryRpcMethodHandler(async (_request, context) =>
      context.abort(StatusCode.UNAUTHENTICATED, 'missing token'),
    );
    const auth: ServerInterceptor = {
      async interceptService(continuation, details) {
        return details.invocationMetadata.get('authorization') === 'Bearer ok' ? continuation(details) : deny;
      },
    };
    const server = serverFromHandlers(service({ Hello: unaryUnaryRpcMethodHandler(() => 'hello') }), {
      interceptors: [auth],
    });
    const denied = await server.invokeUnaryUnary('/test.Svc/Hello', null).termination();
    expect([denied.code, denied.details]).toEqual([StatusCode.UNAUTHENTICATED, 'missing token']);
    const allowed = await server
      .invokeUnaryUnary('/test.Svc/Hello', null, { metadata: [['authorization', 'Bearer ok']] })
      .termination();
    expect([allowed.code, allowed.response]).toEqual([StatusCode.OK, 'hello']);
  });

  it('A66 a value an interceptor sets in an RpcContextVar is what the handler reads', async () => {
    const user = new RpcContextVar<string>('user');
    const server = serverFromHandlers(service({ Who: unaryUnaryRpcMethodHandler(() => user.get()) }), {
      interceptors: [
        {
          interceptService(continuation, details) {
            user.set(String(details.invocationMetadata.get('user')));
            return continuation(details);
          },
        },
      ],
    });
    const [first, second] = await Promise.all([
      server.invokeUnaryUnary('/test.Svc/Who', null, { metadata: [['user', 'ada']] }).termination(),
      server.invokeUnaryUnary('/test.Svc/Who', null, { metadata: [['user', 'bob']] }).termination(),
    ]);
    expect([first.response, second.response]).toEqual(['ada', 'bob']);
  });

  it('A78 invoking a method as another kind ends INTERNAL; a hanging handler fails termination() after the timeout', async () => {
    const server = serverFromHandlers(
      service({ Hang: unaryUnaryRpcMethodHandler(() => new Promise(() => {})) }),
      {
        takeTimeout: 0.01,
      },
    );
    const wrongKind = await server.invokeStreamUnary('/test.Svc/Hang').termination();
    expect([wrongKind.code, wrongKind.details]).toEqual([
      StatusCode.INTERNAL,
      'The handler of /test.Svc/Hang is unaryUnary, invoked as another kind.',
    ]);
    const rpc = server.invokeUnaryUnary('/test.Svc/Hang', null);
    await expect(rpc.termination()).rejects.toThrow(
      'termination() of /test.Svc/Hang timed out: the handler has not ended the RPC.',
    );
    rpc.cancel();
    expect((await rpc.termination()).code).toBe(StatusCode.CANCELLED);
  });

  it("A78 messages pass by reference, undefined included; the handlers' codecs are not used", async () => {
    const request = { id: 1 };
    const seen: unknown[] = [];
    const throwing = () => {
      throw new Error('codec used');
    };
    const server = serverFromHandlers(
      service({
        Same: unaryUnaryRpcMethodHandler(
          (received: unknown) => {
            seen.push(received);
            return received;
          },
          throwing,
          throwing,
        ),
        Each: streamStreamRpcMethodHandler(async function* (requests: AsyncIterable<unknown>) {
          for await (const received of requests) yield received;
        }),
      }),
    );
    const same = await server.invokeUnaryUnary('/test.Svc/Same', request).termination();
    expect(same.response).toBe(request);
    expect(seen[0]).toBe(request);
    const none = await server.invokeUnaryUnary('/test.Svc/Same', undefined).termination();
    expect([none.code, 'response' in none, none.response]).toEqual([StatusCode.OK, true, undefined]);
    const rpc = server.invokeStreamStream('/test.Svc/Each');
    rpc.sendRequest(undefined);
    rpc.sendRequest(request);
    rpc.closeRequests();
    expect(await rpc.takeResponse()).toBeUndefined();
    expect(await rpc.takeResponse()).toBe(request);
    expect((await rpc.termination()).code).toBe(StatusCode.OK);
  });

  it('A78 a handler whose response kind differs from the invoked one ends INTERNAL', async () => {
    const server = serverFromHandlers(
      service({
        Count: unaryStreamRpcMethodHandler(async function* () {
          yield 'never';
        }),
      }),
    );
    const { code, details } = await server.invokeUnaryUnary('/test.Svc/Count', null).termination();
    expect([code, details]).toEqual([
      StatusCode.INTERNAL,
      'The handler of /test.Svc/Count is unaryStream, invoked as another kind.',
    ]);
  });

  it('rejects bad handlers and interceptors with a TypeError', () => {
    expect(() => serverFromHandlers({ 'test.Svc': { M: {} as RpcMethodHandler } })).toThrow(
      'Handler of method "M" must be an RpcMethodHandler.',
    );
    expect(() => serverFromHandlers([], { interceptors: [{} as ServerInterceptor] })).toThrow(TypeError);
  });
});
