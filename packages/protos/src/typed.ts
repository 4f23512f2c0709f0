import type {
  RpcMethodHandler,
  StreamStreamMultiCallable,
  StreamUnaryMultiCallable,
  UnaryStreamMultiCallable,
  UnaryUnaryMultiCallable,
} from '@grpc-aio/core';
import type { MethodDefinition, MethodDefinitions, MethodKind, ServiceDescriptor } from './descriptors.js';

/** The multi-callable of each method kind. */
interface Callables<TRequest, TResponse> {
  unaryUnary: UnaryUnaryMultiCallable<TRequest, TResponse>;
  unaryStream: UnaryStreamMultiCallable<TRequest, TResponse>;
  streamUnary: StreamUnaryMultiCallable<TRequest, TResponse>;
  streamStream: StreamStreamMultiCallable<TRequest, TResponse>;
}

/**
 * The multi-callable (0) and the handler behaviour (1) of a method of kind `K`; the behaviour is
 * the one a method handler holds under the kind's name.
 */
type KindTypes<TRequest, TResponse, K extends MethodKind> = [
  Callables<TRequest, TResponse>[K],
  NonNullable<RpcMethodHandler<TRequest, TResponse>[K]>,
];

/** The multi-callable or behaviour of a method of an untyped descriptor (a service loaded at run time). */
// biome-ignore lint/suspicious/noExplicitAny: such a method is called and implemented without casts, with the messages the user passes
type UntypedFunction = (...args: any[]) => any;

/** The multi-callable (`Side` 0) or the behaviour (1) of method descriptor `M`. */
type KindTypeOf<M, Side extends 0 | 1> =
  M extends MethodDefinition<infer TRequest, infer TResponse, infer K>
    ? MethodKind extends K
      ? UntypedFunction
      : KindTypes<TRequest, TResponse, K>[Side]
    : never;

/** The multi-callable type of a method descriptor (any callable for an untyped descriptor). */
export type MultiCallableOf<M> = KindTypeOf<M, 0>;

/** The handler behaviour type of a method descriptor (any function for an untyped descriptor). */
export type BehaviorOf<M> = KindTypeOf<M, 1>;

type Methods<S extends ServiceDescriptor<MethodDefinitions>> = S['methods'];

/**
 * What {@link stub} returns for service `S`: one multi-callable per method, under the .proto name
 * (`SayHello`) and the camelCase one (`sayHello`).
 */
export type Stub<S extends ServiceDescriptor<MethodDefinitions>> = string extends keyof Methods<S>
  ? UntypedStub
  : { readonly [K in keyof Methods<S> & string as K | Uncapitalize<K>]: MultiCallableOf<Methods<S>[K]> };

/** The stub of a service loaded at run time, whose methods the compiler cannot know. */
// biome-ignore lint/suspicious/noExplicitAny: its methods are called without casts (stub.SayHello(request)), also under noUncheckedIndexedAccess
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
