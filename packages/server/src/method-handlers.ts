import type {
  Deserializer,
  GenericRpcHandler,
  HandlerCallDetails,
  MethodHandlers,
  RpcMethodHandler,
  Serializer,
  ServiceRpcHandler,
  StreamStreamBehavior,
  StreamUnaryBehavior,
  UnaryStreamBehavior,
  UnaryUnaryBehavior,
} from '@grpc-aio/core';

function checkBehavior(behavior: unknown, name: string): void {
  if (typeof behavior !== 'function') throw new TypeError(`${name} behavior must be a function.`);
}

function checkCodec(codec: unknown, name: string): void {
  if (codec != null && typeof codec !== 'function') throw new TypeError(`${name} must be a function.`);
}

function handler<TRequest, TResponse>(
  requestStreaming: boolean,
  responseStreaming: boolean,
  key: 'unaryUnary' | 'unaryStream' | 'streamUnary' | 'streamStream',
  behavior: unknown,
  requestDeserializer: unknown,
  responseSerializer: unknown,
): RpcMethodHandler<TRequest, TResponse> {
  checkBehavior(behavior, key);
  checkCodec(requestDeserializer, 'requestDeserializer');
  checkCodec(responseSerializer, 'responseSerializer');
  return Object.freeze({
    requestStreaming,
    responseStreaming,
    requestDeserializer: (requestDeserializer ?? undefined) as Deserializer<TRequest> | undefined,
    responseSerializer: (responseSerializer ?? undefined) as Serializer<TResponse> | undefined,
    [key]: behavior,
  });
}

/**
 * A handler for a unary-unary method (Python's `grpc.unary_unary_rpc_method_handler`).
 * @param behavior `(request, context) => response` (or a promise of it).
 * @param requestDeserializer decodes request bytes; without one, requests arrive as `Buffer`.
 * @param responseSerializer encodes responses; without one, responses must be `Uint8Array`.
 * @throws TypeError when `behavior` (or a codec given) is not a function.
 */
export function unaryUnaryRpcMethodHandler<TRequest = Buffer, TResponse = Uint8Array>(
  behavior: UnaryUnaryBehavior<TRequest, TResponse>,
  requestDeserializer?: Deserializer<TRequest> | null,
  responseSerializer?: Serializer<TResponse> | null,
): RpcMethodHandler<TRequest, TResponse> {
  return handler(false, false, 'unaryUnary', behavior, requestDeserializer, responseSerializer);
}

/**
 * A handler for a unary-stream method (Python's `grpc.unary_stream_rpc_method_handler`).
 * @param behavior an async generator `(request, context)` yielding responses, or a function that
 *   writes with `context.write()` and returns nothing.
 * @throws TypeError when `behavior` (or a codec given) is not a function.
 */
export function unaryStreamRpcMethodHandler<TRequest = Buffer, TResponse = Uint8Array>(
  behavior: UnaryStreamBehavior<TRequest, TResponse>,
  requestDeserializer?: Deserializer<TRequest> | null,
  responseSerializer?: Serializer<TResponse> | null,
): RpcMethodHandler<TRequest, TResponse> {
  return handler(false, true, 'unaryStream', behavior, requestDeserializer, responseSerializer);
}

/**
 * A handler for a stream-unary method (Python's `grpc.stream_unary_rpc_method_handler`).
 * @param behavior `(requests, context) => response`; `requests` is an AsyncIterable (or use
 *   `context.read()`, not both).
 * @throws TypeError when `behavior` (or a codec given) is not a function.
 */
export function streamUnaryRpcMethodHandler<TRequest = Buffer, TResponse = Uint8Array>(
  behavior: StreamUnaryBehavior<TRequest, TResponse>,
  requestDeserializer?: Deserializer<TRequest> | null,
  responseSerializer?: Serializer<TResponse> | null,
): RpcMethodHandler<TRequest, TResponse> {
  return handler(true, false, 'streamUnary', behavior, requestDeserializer, responseSerializer);
}

/**
 * A handler for a stream-stream method (Python's `grpc.stream_stream_rpc_method_handler`).
 * @param behavior `(requests, context)`: an async generator yielding responses, or a function that
 *   writes with `context.write()`.
 * @throws TypeError when `behavior` (or a codec given) is not a function.
 */
export function streamStreamRpcMethodHandler<TRequest = Buffer, TResponse = Uint8Array>(
  behavior: StreamStreamBehavior<TRequest, TResponse>,
  requestDeserializer?: Deserializer<TRequest> | null,
  responseSerializer?: Serializer<TResponse> | null,
): RpcMethodHandler<TRequest, TResponse> {
  return handler(true, true, 'streamStream', behavior, requestDeserializer, responseSerializer);
}

/** The method handlers of one service, routed by `'/service/Method'`. */
class DictionaryGenericHandler implements ServiceRpcHandler {
  readonly #name: string;
  readonly #methods: ReadonlyMap<string, RpcMethodHandler>;

  constructor(service: string, methodHandlers: MethodHandlers) {
    this.#name = service;
    this.#methods = methodHandlerPaths(service, methodHandlers);
  }

  serviceName(): string {
    return this.#name;
  }

  service(handlerCallDetails: HandlerCallDetails): RpcMethodHandler | undefined {
    return this.#methods.get(handlerCallDetails.method);
  }
}

/**
 * The `'/service/Method'` path of every handler of `methodHandlers`, checked.
 * @throws TypeError for a bad service name, method name or handler.
 */
export function methodHandlerPaths(
  service: string,
  methodHandlers: MethodHandlers,
): Map<string, RpcMethodHandler> {
  if (typeof service !== 'string' || service === '')
    throw new TypeError('Service name must be a non-empty string.');
  if (typeof methodHandlers !== 'object' || methodHandlers === null) {
    throw new TypeError('Method handlers must be an object of method name to RpcMethodHandler.');
  }
  const paths = new Map<string, RpcMethodHandler>();
  for (const [method, methodHandler] of Object.entries(methodHandlers)) {
    if (!isRpcMethodHandler(methodHandler)) {
      throw new TypeError(`Handler of method "${method}" must be an RpcMethodHandler.`);
    }
    paths.set(`/${service}/${method}`, methodHandler);
  }
  return paths;
}

/** True for an object with boolean `requestStreaming` and `responseStreaming`. */
export function isRpcMethodHandler(value: unknown): value is RpcMethodHandler {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RpcMethodHandler).requestStreaming === 'boolean' &&
    typeof (value as RpcMethodHandler).responseStreaming === 'boolean'
  );
}

/** True for an object with a `service` method. */
export function isGenericRpcHandler(value: unknown): value is GenericRpcHandler {
  return (
    typeof value === 'object' && value !== null && typeof (value as GenericRpcHandler).service === 'function'
  );
}

/**
 * A generic handler serving the methods of one service (Python's
 * `grpc.method_handlers_generic_handler`): an RPC to `'/service/Method'` goes to
 * `methodHandlers.Method`.
 * @throws TypeError for a bad service name or handler.
 */
export function methodHandlersGenericHandler(
  service: string,
  methodHandlers: MethodHandlers,
): ServiceRpcHandler {
  return new DictionaryGenericHandler(service, methodHandlers);
}
