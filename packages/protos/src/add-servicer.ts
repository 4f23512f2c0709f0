import { type RpcMethodHandler, type Server, type ServicerContext, StatusCode } from '@grpc-aio/core';
import {
  isServiceDescriptor,
  type MethodDefinition,
  type MethodDefinitions,
  type ServiceDescriptor,
} from './descriptors.js';
import { NOT_A_SERVICE } from './stub.js';
import type { ServicerImplementation } from './typed.js';

/**
 * The details of the UNIMPLEMENTED status a method missing from an implementation answers with
 * (the words of Python's generated servicer base class).
 */
export const METHOD_NOT_IMPLEMENTED = 'Method not implemented!';

/** The functions an implementation offers: own and inherited, not `constructor` nor `_private` ones. */
function offeredFunctions(implementation: object): Map<string, Function> {
  const found = new Map<string, Function>();
  for (let object: object | null = implementation; object !== null && object !== Object.prototype; ) {
    for (const key of Object.getOwnPropertyNames(object)) {
      if (key === 'constructor' || key.startsWith('_') || found.has(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      if (typeof descriptor?.value === 'function') found.set(key, descriptor.value);
    }
    object = Object.getPrototypeOf(object);
  }
  return found;
}

function unimplemented(method: MethodDefinition): RpcMethodHandler {
  const behavior = async (_request: unknown, context: ServicerContext): Promise<never> =>
    context.abort(StatusCode.UNIMPLEMENTED, METHOD_NOT_IMPLEMENTED);
  return handler(method, behavior);
}

function handler(
  method: MethodDefinition,
  behavior: (request: unknown, context: ServicerContext) => unknown,
): RpcMethodHandler {
  return Object.freeze({
    requestStreaming: method.requestStream,
    responseStreaming: method.responseStream,
    requestDeserializer: method.requestDeserializer,
    responseSerializer: method.responseSerializer,
    [method.kind]: behavior,
  });
}

/**
 * The method handlers of `implementation` for `service`, by .proto method name, as
 * {@link addServicer} registers them. Exposed for servers that route by hand.
 * @throws TypeError as {@link addServicer} does.
 */
export function servicerHandlers<S extends ServiceDescriptor<MethodDefinitions>>(
  service: S,
  implementation: ServicerImplementation<S>,
): Record<string, RpcMethodHandler> {
  if (!isServiceDescriptor(service)) throw new TypeError(NOT_A_SERVICE);
  if (
    (typeof implementation !== 'object' && typeof implementation !== 'function') ||
    implementation === null
  ) {
    throw new TypeError(`The implementation of ${service.fullName} must be an object with its methods`);
  }
  const offered = offeredFunctions(implementation);
  const methods = Object.values(service.methods);
  const valid = new Set(methods.flatMap((method) => [method.name, method.camelName]));
  const unknown = [...offered.keys()].filter((name) => !valid.has(name));
  if (unknown.length > 0) {
    throw new TypeError(
      `${service.fullName} has no method named ${unknown.join(', ')}. Valid names: ${[...valid].join(', ')}`,
    );
  }
  const handlers: Record<string, RpcMethodHandler> = {};
  for (const method of methods) {
    const names = method.camelName === method.name ? [method.name] : [method.name, method.camelName];
    const present = names.filter((name) => (implementation as Record<string, unknown>)[name] !== undefined);
    if (present.length > 1) {
      throw new TypeError(
        `${service.fullName}.${method.name} is implemented twice, as ${present.join(' and ')}`,
      );
    }
    const name = present[0];
    if (name === undefined) {
      handlers[method.name] = unimplemented(method);
      continue;
    }
    const behavior = (implementation as Record<string, unknown>)[name];
    if (typeof behavior !== 'function') {
      throw new TypeError(`${service.fullName}.${method.name}: implementation.${name} must be a function`);
    }
    handlers[method.name] = handler(method, (request, context) =>
      behavior.call(implementation, request, context),
    );
  }
  return handlers;
}

/**
 * Serves `service` on `server` with the methods of `implementation` (Python's generated
 * `add_...Servicer_to_server`, argument order aside). Methods may be named as in the .proto
 * (`SayHello`) or camelCase (`sayHello`) and are called with `this` bound to the implementation,
 * so class instances work. A method the implementation lacks answers UNIMPLEMENTED with
 * `METHOD_NOT_IMPLEMENTED`. Works on any object implementing the core `Server` contract.
 * @throws TypeError for a function that is not a method of the service (the message lists the
 *   valid names; functions whose name starts with `_` are ignored), a method implemented under
 *   both names, a method name bound to a non-function, or a server without
 *   `addRegisteredMethodHandlers`.
 */
export function addServicer<S extends ServiceDescriptor<MethodDefinitions>>(
  server: Server,
  service: S,
  implementation: ServicerImplementation<S>,
): void {
  if (
    typeof server !== 'object' ||
    server === null ||
    typeof server.addRegisteredMethodHandlers !== 'function'
  ) {
    throw new TypeError('server must be a Server (an object with addRegisteredMethodHandlers())');
  }
  const handlers = servicerHandlers(service, implementation);
  server.addRegisteredMethodHandlers(service.fullName, handlers);
}
