import type { Channel } from '@grpc-aio/core';
import {
  isServiceDescriptor,
  type MethodDefinitions,
  type MethodDescriptor,
  type ServiceDescriptor,
} from './descriptors.js';
import type { Stub } from './typed.js';

/** The message of the TypeError for a second argument that is not a service descriptor. */
export const NOT_A_SERVICE = 'service must be a ServiceDescriptor, as loadServices() returns them';

const KINDS = new Set(['unaryUnary', 'unaryStream', 'streamUnary', 'streamStream']);

/**
 * A client for one service (Python's generated `...Stub(channel)`): one multi-callable per method,
 * under its .proto name and its camelCase name, so `await stub.sayHello({ name })` works. Works on
 * any object implementing the core `Channel` contract. Each method takes `(request, options)` and
 * passes `options` through to the channel's multi-callable unchanged: they are call options, and
 * the channel checks them (grpc-aio's channels refuse a key a call does not take).
 * @throws TypeError when `channel` has no multi-callable factories or `service` is not a descriptor.
 */
export function stub<S extends ServiceDescriptor<MethodDefinitions>>(channel: Channel, service: S): Stub<S> {
  if (!isServiceDescriptor(service)) throw new TypeError(NOT_A_SERVICE);
  if (typeof channel !== 'object' || channel === null || typeof channel.unaryUnary !== 'function') {
    throw new TypeError('channel must be a Channel (an object with unaryUnary(), unaryStream(), ...)');
  }
  const result: Record<string, unknown> = {};
  const methods = Object.values(service.methods);
  for (const method of methods) {
    if (!KINDS.has(method.kind)) throw new TypeError(`${method.path}: unknown method kind '${method.kind}'`);
    const callable = channel[method.kind](method.path, method.requestSerializer, method.responseDeserializer);
    // A single request of a loaded message type is checked here, so a bad one throws its TypeError
    // from the stub call itself, before any call exists (Python raises when the message is built).
    // The serializer checks again: an interceptor may have replaced the request.
    const validate = (method as Partial<MethodDescriptor>).requestType?.validate;
    result[method.name] =
      (method.kind === 'unaryUnary' || method.kind === 'unaryStream') && typeof validate === 'function'
        ? (request: unknown, options?: unknown) => {
            validate(request);
            return (callable as (request: unknown, options?: unknown) => unknown)(request, options);
          }
        : callable;
  }
  // camelCase aliases never shadow a method whose .proto name is spelled that way.
  for (const method of methods) {
    const alias = method.camelName ?? method.name.charAt(0).toLowerCase() + method.name.slice(1);
    if (!Object.hasOwn(result, alias)) result[alias] = result[method.name];
  }
  return Object.freeze(result) as Stub<S>;
}
