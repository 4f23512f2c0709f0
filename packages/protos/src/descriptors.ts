import type { Deserializer, Serializer } from '@grpc-aio/core';
import type { MessageType } from './message-type.js';

/**
 * The kind of a method, named as the channel factory and the handler behaviour for it
 * (`channel.unaryUnary(...)`, `handler.unaryUnary`).
 */
export type MethodKind = 'unaryUnary' | 'unaryStream' | 'streamUnary' | 'streamStream';

/**
 * What {@link stub} and {@link addServicer} need of one method: its names, path, kind and codecs.
 * Loaded services have {@link MethodDescriptor}s (this plus the protobufjs message types); the
 * protobuf-es and ts-proto adapters build these from the descriptors those generators emit.
 */
// biome-ignore lint/suspicious/noExplicitAny: the bare type must accept every typed definition (its codecs take TRequest, so unknown would refuse them) and types loaded services' messages
export interface MethodDefinition<TRequest = any, TResponse = any, TKind extends MethodKind = MethodKind> {
  /** The name as in the .proto, e.g. `'SayHello'`. */
  readonly name: string;
  /** The name with its first letter lowercased, e.g. `'sayHello'` (also a key of a stub). */
  readonly camelName: string;
  /** The full method path, `'/helloworld.Greeter/SayHello'`. */
  readonly path: string;
  readonly kind: TKind;
  /** True for `stream` requests (as in @grpc/proto-loader). */
  readonly requestStream: boolean;
  /** True for `stream` responses (as in @grpc/proto-loader). */
  readonly responseStream: boolean;
  /** Request message to bytes. */
  readonly requestSerializer: Serializer<TRequest>;
  /** Bytes to request message. */
  readonly requestDeserializer: Deserializer<TRequest>;
  readonly responseSerializer: Serializer<TResponse>;
  readonly responseDeserializer: Deserializer<TResponse>;
  /** The method's declared options, e.g. `{ deprecated: true }`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** One method of a loaded service: its path, kind, codecs and message types. */
// biome-ignore lint/suspicious/noExplicitAny: as MethodDefinition's defaults
export interface MethodDescriptor<TRequest = any, TResponse = any, TKind extends MethodKind = MethodKind>
  extends MethodDefinition<TRequest, TResponse, TKind> {
  readonly requestType: MessageType<TRequest>;
  readonly responseType: MessageType<TResponse>;
  /** Plain object to bytes (`validate`, `fromObject` then `encode`). */
  readonly requestSerializer: Serializer<TRequest>;
  /** Bytes to plain object (`decode` then `toObject` with the load options). */
  readonly requestDeserializer: Deserializer<TRequest>;
}

/** Method key to definition: what {@link ServiceDescriptor} accepts. */
export type MethodDefinitions = Readonly<Record<string, MethodDefinition>>;

/** Method name (as in the .proto) to descriptor. */
export type MethodDescriptors = Readonly<Record<string, MethodDescriptor>>;

/**
 * A service (what Python's `services` module holds per service): loaded from a .proto (its
 * methods are {@link MethodDescriptor}s), or adapted from protobuf-es or ts-proto descriptors.
 */
export interface ServiceDescriptor<TMethods extends MethodDefinitions = MethodDescriptors> {
  /** The short name, e.g. `'Greeter'`. */
  readonly name: string;
  /** The full name, e.g. `'helloworld.Greeter'`: the name servers register it under. */
  readonly fullName: string;
  /**
   * Its methods in declaration order, by name as in the .proto (by camelCase name for the
   * protobuf-es and ts-proto adapters, as those generators key them).
   */
  readonly methods: TMethods;
}

/** Service full name to descriptor, as {@link loadServices} returns them. */
export type Services = Readonly<Record<string, ServiceDescriptor>>;

/** The kind of a method from its streaming flags. */
export function methodKind(requestStream: boolean, responseStream: boolean): MethodKind {
  if (requestStream) return responseStream ? 'streamStream' : 'streamUnary';
  return responseStream ? 'unaryStream' : 'unaryUnary';
}

/** The codecs of one message type: a loaded {@link MessageType}, or an adapter's pair. */
export interface MessageCodecs<T> {
  readonly serialize: Serializer<T>;
  readonly deserialize: Deserializer<T>;
}

/** What {@link defineMethod} builds a method definition from. */
interface MethodParts<TRequest, TResponse>
  extends Pick<
    MethodDefinition<TRequest, TResponse>,
    'name' | 'camelName' | 'requestStream' | 'responseStream'
  > {
  readonly request: MessageCodecs<TRequest>;
  readonly response: MessageCodecs<TResponse>;
  /** The method's declared options (copied). */
  readonly options: object | undefined;
}

/**
 * The frozen definition of one method of the service `serviceName` (its full name), with the
 * properties of `extra` (a loaded method's message types) after its streaming flags.
 */
export function defineMethod<TRequest, TResponse, TExtra extends object = Record<never, never>>(
  serviceName: string,
  parts: MethodParts<TRequest, TResponse>,
  extra?: TExtra,
): MethodDefinition<TRequest, TResponse> & Readonly<TExtra> {
  const { name, requestStream, responseStream, request, response } = parts;
  return Object.freeze({
    name,
    camelName: parts.camelName,
    path: `/${serviceName}/${name}`,
    kind: methodKind(requestStream, responseStream),
    requestStream,
    responseStream,
    ...extra,
    requestSerializer: request.serialize,
    requestDeserializer: request.deserialize,
    responseSerializer: response.serialize,
    responseDeserializer: response.deserialize,
    options: Object.freeze({ ...parts.options }),
  }) as MethodDefinition<TRequest, TResponse> & Readonly<TExtra>;
}

/** The frozen descriptor of a service with the (frozen here) `methods`. */
export function defineService<TMethods extends MethodDefinitions>(
  name: string,
  fullName: string,
  methods: TMethods,
): ServiceDescriptor<TMethods> {
  return Object.freeze({ name, fullName, methods: Object.freeze(methods) });
}

/**
 * The descriptor `adapt()` builds for the generated service `source`, built once per `source`: an
 * adapter gives the same descriptor each time it is given the same service.
 */
export function adaptOnce<K extends object>(
  cache: WeakMap<K, ServiceDescriptor<MethodDefinitions>>,
  source: K,
  adapt: () => ServiceDescriptor<MethodDefinitions>,
): ServiceDescriptor<MethodDefinitions> {
  let descriptor = cache.get(source);
  if (descriptor === undefined) {
    descriptor = adapt();
    cache.set(source, descriptor);
  }
  return descriptor;
}

/** `'SayHello'` -> `'sayHello'`. */
export function camelName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** True for an object shaped like a {@link ServiceDescriptor} (as loading returns them). */
export function isServiceDescriptor(value: unknown): value is ServiceDescriptor<MethodDefinitions> {
  if (typeof value !== 'object' || value === null) return false;
  const { fullName, methods } = value as Partial<ServiceDescriptor>;
  if (typeof fullName !== 'string' || typeof methods !== 'object' || methods === null) return false;
  return Object.values(methods).every(
    (method: unknown) =>
      typeof method === 'object' &&
      method !== null &&
      typeof (method as MethodDefinition).path === 'string' &&
      typeof (method as MethodDefinition).kind === 'string',
  );
}
