import type { Serializer } from '@grpc-aio/core';

/**
 * A method that fakes match calls by: its path (`'/helloworld.Greeter/SayHello'`), or a method
 * descriptor (a generated stub's, a loaded service's, or any object with the method's `path` and
 * codecs), from which the request and response types are inferred.
 */
// biome-ignore lint/suspicious/noExplicitAny: the bare type must accept every typed descriptor (its serializers take TRequest and TResponse, so unknown would refuse them)
export type MethodRef<TRequest = any, TResponse = any> =
  | string
  | {
      readonly path: string;
      readonly requestSerializer?: Serializer<TRequest> | null | undefined;
      readonly responseSerializer?: Serializer<TResponse> | null | undefined;
    };

/** The path of `method`. @throws TypeError for anything else than a path or a descriptor. */
export function methodPath(method: MethodRef): string {
  if (typeof method === 'string') return method;
  if (typeof method === 'object' && method !== null && typeof method.path === 'string') return method.path;
  throw new TypeError(
    'The method must be a path like "/package.Service/Method" or a method descriptor with a path.',
  );
}
