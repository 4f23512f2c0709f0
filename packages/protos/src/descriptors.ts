import type { Deserializer, Serializer } from '@grpc-aio/core';
import type { MessageType } from './message-type.js';

/**
 * The kind of a method, named as the channel factory and the handler behaviour for it
 * (`channel.unaryUnary(...)`, `handler.unaryUnary`).
 */
export type MethodKind = 'unaryUnary' | 'unaryStream' | 'streamUnary' | 'streamStream';

/** One method of a loaded service: its path, kind, and codecs. */
export interface MethodDescriptor<TRequest = any, TResponse = any, TKind extends MethodKind = MethodKind> {
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
  readonly requestType: MessageType<TRequest>;
  readonly responseType: MessageType<TResponse>;
  /** Plain object to bytes (`fromObject` then `encode`). */
  readonly requestSerializer: Serializer<TRequest>;
  /** Bytes to plain object (`decode` then `toObject` with the load options). */
  readonly requestDeserializer: Deserializer<TRequest>;
  readonly responseSerializer: Serializer<TResponse>;
  readonly responseDeserializer: Deserializer<TResponse>;
  /** The method's declared options, e.g. `{ deprecated: true }`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Method name (as in the .proto) to descriptor. */
export type MethodDescriptors = Readonly<Record<string, MethodDescriptor>>;

/** A loaded service (what Python's `services` module holds per service). */
export interface ServiceDescriptor<TMethods extends MethodDescriptors = MethodDescriptors> {
  /** The short name, e.g. `'Greeter'`. */
  readonly name: string;
  /** The full name, e.g. `'helloworld.Greeter'`: the name servers register it under. */
  readonly fullName: string;
  /** Its methods by name as in the .proto, in declaration order. */
  readonly methods: TMethods;
}

/** Service full name to descriptor, as {@link loadServices} returns them. */
export type Services = Readonly<Record<string, ServiceDescriptor>>;

/** The kind of a method from its streaming flags. */
export function methodKind(requestStream: boolean, responseStream: boolean): MethodKind {
  if (requestStream) return responseStream ? 'streamStream' : 'streamUnary';
  return responseStream ? 'unaryStream' : 'unaryUnary';
}

/** `'SayHello'` -> `'sayHello'`. */
export function camelName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** True for an object shaped like a {@link ServiceDescriptor} (as loading returns them). */
export function isServiceDescriptor(value: unknown): value is ServiceDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const { fullName, methods } = value as Partial<ServiceDescriptor>;
  if (typeof fullName !== 'string' || typeof methods !== 'object' || methods === null) return false;
  return Object.values(methods).every(
    (method: unknown) =>
      typeof method === 'object' &&
      method !== null &&
      typeof (method as MethodDescriptor).path === 'string' &&
      typeof (method as MethodDescriptor).kind === 'string',
  );
}
