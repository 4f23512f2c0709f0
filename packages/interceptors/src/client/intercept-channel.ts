import type {
  Call,
  CallOptions,
  Channel,
  ChannelConnectivity,
  Deserializer,
  MethodOptions,
  RequestIterable,
  Serializer,
  StreamStreamMultiCallable,
  StreamUnaryMultiCallable,
  UnaryStreamMultiCallable,
  UnaryUnaryMultiCallable,
  WaitOptions,
} from '@grpc-aio/core';
import { markChannelError } from './call-utils.js';
import { ClientCallDetails } from './client-call-details.js';
import {
  type CallKind,
  type ClientInterceptor,
  INTERCEPT_METHOD,
  validateClientInterceptors,
} from './client-interceptor.js';
import { createInterceptedCall, type InterceptorChain } from './intercepted-call.js';

type AnyMultiCallable = (requestOrIterator: unknown, options?: CallOptions) => Call;

/**
 * A channel whose calls run through interceptors. Everything but the multi-callables is the
 * wrapped channel's.
 */
class InterceptedChannel implements Channel {
  readonly #channel: Channel;
  readonly #byKind: Readonly<Record<CallKind, readonly ClientInterceptor[]>>;

  constructor(channel: Channel, interceptors: readonly ClientInterceptor[]) {
    this.#channel = channel;
    const implementing = (kind: CallKind) =>
      interceptors.filter((interceptor) => typeof interceptor[INTERCEPT_METHOD[kind]] === 'function');
    this.#byKind = {
      unaryUnary: implementing('unaryUnary'),
      unaryStream: implementing('unaryStream'),
      streamUnary: implementing('streamUnary'),
      streamStream: implementing('streamStream'),
    };
  }

  #multiCallable(
    kind: CallKind,
    method: string,
    requestSerializer: Serializer<any> | null | undefined,
    responseDeserializer: Deserializer<any> | null | undefined,
    options: MethodOptions | undefined,
  ): AnyMultiCallable {
    const channel = this.#channel;
    const interceptors = this.#byKind[kind];
    const make = (target: string) =>
      (channel[kind] as Function).call(
        channel,
        target,
        requestSerializer,
        responseDeserializer,
        options,
      ) as AnyMultiCallable;
    const direct = make(method);
    // No interceptor for this kind: the channel's own calls.
    if (interceptors.length === 0) return direct;
    // Interceptors may change the method: one multi-callable per method actually called.
    const byMethod = new Map<string, AnyMultiCallable>([[method, direct]]);
    const chain: InterceptorChain = {
      kind,
      interceptors,
      terminal(details, requestOrIterator, signal) {
        let callable = byMethod.get(details.method);
        if (callable === undefined) {
          callable = make(details.method);
          byMethod.set(details.method, callable);
        }
        try {
          return callable(requestOrIterator, details.toCallOptions(signal));
        } catch (error) {
          // The channel refused the call (closed, bad options): the caller gets this error itself.
          markChannelError(error);
          throw error;
        }
      },
    };
    return (requestOrIterator, callOptions) =>
      createInterceptedCall(
        chain,
        0,
        ClientCallDetails.fromOptions(method, callOptions),
        requestOrIterator,
        callOptions?.signal,
      );
  }

  unaryUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): UnaryUnaryMultiCallable<TRequest, TResponse> {
    return this.#multiCallable(
      'unaryUnary',
      method,
      requestSerializer,
      responseDeserializer,
      options,
    ) as UnaryUnaryMultiCallable<TRequest, TResponse>;
  }

  unaryStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): UnaryStreamMultiCallable<TRequest, TResponse> {
    return this.#multiCallable(
      'unaryStream',
      method,
      requestSerializer,
      responseDeserializer,
      options,
    ) as UnaryStreamMultiCallable<TRequest, TResponse>;
  }

  streamUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): StreamUnaryMultiCallable<TRequest, TResponse> {
    return this.#multiCallable('streamUnary', method, requestSerializer, responseDeserializer, options) as (
      requestIterator?: RequestIterable<TRequest> | null,
      options?: CallOptions,
    ) => never;
  }

  streamStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    options?: MethodOptions,
  ): StreamStreamMultiCallable<TRequest, TResponse> {
    return this.#multiCallable('streamStream', method, requestSerializer, responseDeserializer, options) as (
      requestIterator?: RequestIterable<TRequest> | null,
      options?: CallOptions,
    ) => never;
  }

  close(grace?: number | null): Promise<void> {
    return this.#channel.close(grace);
  }

  getState(tryToConnect?: boolean): ChannelConnectivity {
    return this.#channel.getState(tryToConnect);
  }

  waitForStateChange(lastObservedState: ChannelConnectivity, options?: WaitOptions): Promise<void> {
    return this.#channel.waitForStateChange(lastObservedState, options);
  }

  channelReady(options?: WaitOptions): Promise<void> {
    return this.#channel.channelReady(options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#channel[Symbol.asyncDispose]();
  }
}

/**
 * Wraps `channel` so that its calls run through `interceptors` (Python:
 * `aio.insecure_channel(target, interceptors=[...])`). `interceptors[0]` is the outermost: it runs
 * first on the way out and last on the way back. An interceptor implementing several kinds is used
 * for every kind it implements. Kinds no interceptor implements go straight to the channel. The
 * interceptors are reused by every call (keep per-call state in the call, not in the interceptor).
 * `close()`, `getState()`, `waitForStateChange()`, `channelReady()` and `asyncDispose` are the wrapped
 * channel's.
 *
 * @example
 * const channel = interceptChannel(insecureChannel('localhost:50051'), metadataInterceptor([['x-app', 'demo']]));
 *
 * @throws TypeError when `channel` is not a Channel, or an interceptor is not a ClientInterceptor
 * (the message names its index; Python raises ValueError).
 */
export function interceptChannel(channel: Channel, ...interceptors: ClientInterceptor[]): Channel {
  if (
    typeof channel !== 'object' ||
    channel === null ||
    typeof (channel as Partial<Channel>).unaryUnary !== 'function'
  ) {
    throw new TypeError(
      `interceptChannel needs a Channel, got ${channel === null ? 'null' : typeof channel}.`,
    );
  }
  return new InterceptedChannel(channel, validateClientInterceptors(interceptors));
}
