import type { RpcMethodHandler, ServicerContext } from '@grpc-aio/core';
import { EOF } from '@grpc-aio/core';

/**
 * What {@link wrapHandler} calls around a handler. Every hook is optional and may be async; the
 * value a transforming hook returns replaces the message.
 */
// biome-ignore lint/suspicious/noExplicitAny: public default: hooks written without type arguments take any message
export interface HandlerHooks<TRequest = any, TResponse = any> {
  /** Before the behaviour runs, once per RPC. */
  onStart?(context: ServicerContext<TRequest, TResponse>): void | Promise<void>;
  /**
   * Each request: the request of a unary-request RPC, and each request of a stream, whether the
   * handler iterates the stream or calls `context.read()`. Returns the request the handler gets.
   */
  onRequest?(request: TRequest, context: ServicerContext<TRequest, TResponse>): TRequest | Promise<TRequest>;
  /**
   * Each response: the return value of a unary-response handler, and each response of a stream,
   * whether yielded or written with `context.write()`. Returns the response sent.
   */
  onResponse?(
    response: TResponse,
    context: ServicerContext<TRequest, TResponse>,
  ): TResponse | Promise<TResponse>;
  /**
   * The behaviour threw (or its response stream failed). The original error is rethrown after this
   * returns; throw another error (or call `context.abort()`, which throws) to replace it.
   */
  onError?(error: unknown, context: ServicerContext<TRequest, TResponse>): void | Promise<void>;
  /** After the behaviour ended (all responses produced), or failed: `error` is then set. */
  onFinish?(context: ServicerContext<TRequest, TResponse>, error?: unknown): void | Promise<void>;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function')
  );
}

/**
 * A view of `context` whose `read()` and `write()` pass through the hooks; every other member is the
 * context's own (methods bound to it, so its private state keeps working).
 */
function hookedContext(context: ServicerContext, hooks: HandlerHooks): ServicerContext {
  const read = async () => {
    const request = await context.read();
    if (request === EOF || hooks.onRequest === undefined) return request;
    return hooks.onRequest(request, proxy);
  };
  const write = async (response: unknown) =>
    context.write(hooks.onResponse === undefined ? response : await hooks.onResponse(response, proxy));
  const proxy: ServicerContext = new Proxy(context, {
    get(target, property) {
      if (property === 'read') return read;
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return proxy;
}

async function* mapRequests(
  requests: AsyncIterable<unknown>,
  hooks: HandlerHooks,
  context: ServicerContext,
): AsyncGenerator<unknown> {
  for await (const request of requests) {
    yield hooks.onRequest === undefined ? request : await hooks.onRequest(request, context);
  }
}

/**
 * Wraps the behaviour of `handler` so that `hooks` observe (and may transform) the requests and
 * responses of every call kind, and see errors and the end of each RPC: what Python's server
 * interceptors cannot do without rewriting the handler (grpc#28728). Use it in a
 * `ServerInterceptor`: `return wrapHandler(await continuation(details), hooks)`. Handlers that
 * write with `context.write()` or read with `context.read()` get a context whose `read`/`write` go
 * through the hooks too. A null/undefined handler is returned as is.
 *
 * @example
 * const redact: ServerInterceptor = {
 *   async interceptService(continuation, details) {
 *     const handler = await continuation(details);
 *     return handler && wrapHandler(handler, { onResponse: (response) => ({ ...response, secret: undefined }) });
 *   },
 * };
 */
export function wrapHandler<TRequest, TResponse>(
  handler: RpcMethodHandler<TRequest, TResponse>,
  hooks: HandlerHooks<TRequest, TResponse>,
): RpcMethodHandler<TRequest, TResponse>;
export function wrapHandler(
  handler: RpcMethodHandler | null | undefined,
  hooks: HandlerHooks,
): RpcMethodHandler | null | undefined;
export function wrapHandler(
  handler: RpcMethodHandler | null | undefined,
  hooks: HandlerHooks,
): RpcMethodHandler | null | undefined {
  if (handler == null) return handler;
  const h = handler;
  // The behaviour (or a hook) threw `error`: onError may replace it; onFinish is told the final one.
  const fail = async (error: unknown, hooked: ServicerContext): Promise<never> => {
    try {
      await hooks.onError?.(error, hooked);
    } catch (replacement) {
      await hooks.onFinish?.(hooked, replacement);
      throw replacement;
    }
    await hooks.onFinish?.(hooked, error);
    throw error;
  };
  const run = async <R>(
    context: ServicerContext,
    body: (context: ServicerContext) => Promise<R>,
  ): Promise<R> => {
    const hooked = hookedContext(context, hooks);
    try {
      await hooks.onStart?.(hooked);
      const result = await body(hooked);
      await hooks.onFinish?.(hooked);
      return result;
    } catch (error) {
      return await fail(error, hooked);
    }
  };
  const respond = async (response: unknown, context: ServicerContext) =>
    hooks.onResponse === undefined ? response : hooks.onResponse(response, context);
  const request = async (value: unknown, context: ServicerContext) =>
    hooks.onRequest === undefined ? value : hooks.onRequest(value, context);
  // A streaming-response behaviour may yield or write; the wrapper is an async generator either
  // way (a write-style behaviour's promise is awaited inside it, its writes pass the hooks).
  async function* stream(result: unknown, context: ServicerContext): AsyncGenerator<unknown> {
    if (isAsyncIterable(result)) {
      for await (const response of result) yield await respond(response, context);
    } else {
      await result;
    }
  }
  // The body resolves to the behaviour's result wrapped, so a promise (write-style) is not adopted
  // before stream() awaits it.
  const streaming = (body: (context: ServicerContext) => Promise<{ readonly result: unknown }>) =>
    async function* (context: ServicerContext): AsyncGenerator<unknown> {
      const hooked = hookedContext(context, hooks);
      let failed = false;
      try {
        await hooks.onStart?.(hooked);
        yield* stream((await body(hooked)).result, hooked);
      } catch (error) {
        failed = true;
        await fail(error, hooked);
      }
      if (!failed) await hooks.onFinish?.(hooked);
    };

  const wrapped: { -readonly [K in keyof RpcMethodHandler]: RpcMethodHandler[K] } = { ...h };
  if (h.unaryUnary) {
    const behaviour = h.unaryUnary;
    wrapped.unaryUnary = (message, context) =>
      run(context, async (hooked) =>
        respond(await behaviour(await request(message, hooked), hooked), hooked),
      );
  }
  if (h.streamUnary) {
    const behaviour = h.streamUnary;
    wrapped.streamUnary = (requests, context) =>
      run(context, async (hooked) =>
        respond(await behaviour(mapRequests(requests, hooks, hooked), hooked), hooked),
      );
  }
  if (h.unaryStream) {
    const behaviour = h.unaryStream;
    wrapped.unaryStream = (message, context) =>
      streaming(async (hooked) => ({ result: behaviour(await request(message, hooked), hooked) }))(context);
  }
  if (h.streamStream) {
    const behaviour = h.streamStream;
    wrapped.streamStream = (requests, context) =>
      streaming(async (hooked) => ({ result: behaviour(mapRequests(requests, hooks, hooked), hooked) }))(
        context,
      );
  }
  return Object.freeze(wrapped);
}
