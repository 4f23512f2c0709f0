import type {
  StreamStreamBehavior,
  StreamStreamMultiCallable,
  StreamUnaryBehavior,
  StreamUnaryMultiCallable,
  UnaryStreamBehavior,
  UnaryStreamMultiCallable,
  UnaryUnaryBehavior,
  UnaryUnaryMultiCallable,
} from '@grpc-aio/core';
import type { MethodDefinition, MethodDefinitions, MethodKind, ServiceDescriptor } from './descriptors.js';

type CallableOfKind<K, TRequest, TResponse> = K extends 'unaryUnary'
  ? UnaryUnaryMultiCallable<TRequest, TResponse>
  : K extends 'unaryStream'
    ? UnaryStreamMultiCallable<TRequest, TResponse>
    : K extends 'streamUnary'
      ? StreamUnaryMultiCallable<TRequest, TResponse>
      : StreamStreamMultiCallable<TRequest, TResponse>;

type BehaviorOfKind<K, TRequest, TResponse> = K extends 'unaryUnary'
  ? UnaryUnaryBehavior<TRequest, TResponse>
  : K extends 'unaryStream'
    ? UnaryStreamBehavior<TRequest, TResponse>
    : K extends 'streamUnary'
      ? StreamUnaryBehavior<TRequest, TResponse>
      : StreamStreamBehavior<TRequest, TResponse>;

/** The multi-callable type of a method descriptor (any callable for an untyped descriptor). */
export type MultiCallableOf<M> =
  M extends MethodDefinition<infer TRequest, infer TResponse, infer K>
    ? MethodKind extends K
      ? (...args: any[]) => any
      : CallableOfKind<K, TRequest, TResponse>
    : never;

/** The handler behaviour type of a method descriptor (any function for an untyped descriptor). */
export type BehaviorOf<M> =
  M extends MethodDefinition<infer TRequest, infer TResponse, infer K>
    ? MethodKind extends K
      ? (...args: any[]) => any
      : BehaviorOfKind<K, TRequest, TResponse>
    : never;

type Methods<S extends ServiceDescriptor<MethodDefinitions>> = S['methods'];

/**
 * What {@link stub} returns for service `S`: one multi-callable per method, under the .proto name
 * (`SayHello`) and the camelCase one (`sayHello`).
 */
export type Stub<S extends ServiceDescriptor<MethodDefinitions>> = string extends keyof Methods<S>
  ? UntypedStub
  : { readonly [K in keyof Methods<S> & string as K | Uncapitalize<K>]: MultiCallableOf<Methods<S>[K]> };

/** The stub of a service loaded at run time, whose methods the compiler cannot know. */
export type UntypedStub = { readonly [method: string]: any };

/**
 * A complete implementation of service `S`, one camelCase method per RPC (Python's generated
 * `Servicer` class with every method overridden).
 */
export type Servicer<S extends ServiceDescriptor<MethodDefinitions>> = {
  [K in keyof Methods<S> & string as Uncapitalize<K>]: BehaviorOf<Methods<S>[K]>;
};

/**
 * What {@link addServicer} accepts for service `S`: any subset of its methods, each named as in
 * the .proto or camelCase. Methods left out answer UNIMPLEMENTED.
 */
export type ServicerImplementation<S extends ServiceDescriptor<MethodDefinitions>> =
  string extends keyof Methods<S>
    ? object
    : { [K in keyof Methods<S> & string as K | Uncapitalize<K>]?: BehaviorOf<Methods<S>[K]> };
