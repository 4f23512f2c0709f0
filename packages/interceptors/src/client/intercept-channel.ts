import type {
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
import {
  CALL_TELEMETRY,
  type Call,
  type CallOptions,
  CHANNEL_CLOCK,
  CHANNEL_TELEMETRY,
  type Channel,
  type ClientCallTelemetry,
  type Clock,
  type ClockChannel,
  systemClock,
  type TelemetryChannel,
} from '@grpc-aio/core';
import { markChannelError, onCallEnd } from './call-utils.js';
import { ClientCallDetails } from './client-call-details.js';
import {
  type CallKind,
  type ClientInterceptor,
  INTERCEPT_METHOD,
  validateClientInterceptors,
} from './client-interceptor.js';
import { createInterceptedCall } from './intercepted-call.js';
import type { InterceptorChain } from './level.js';

type AnyMultiCallable = (requestOrIterator: unknown, options?: CallOptions) => Call;
/** Call options that carry the recorder of an interceptor chain's call. */
type Chained = CallOptions & { [CALL_TELEMETRY]?: ClientCallTelemetry };

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
    requestSerializer: Serializer<never> | null | undefined,
    responseDeserializer: Deserializer<unknown> | null | undefined,
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
      clock: this[CHANNEL_CLOCK],
      terminal(details, requestOrIterator, signal, telemetry) {
        let callable = byMethod.get(details.method);
        if (callable === undefined) {
          callable = make(details.method);
          byMethod.set(details.method, callable);
        }
        const callOptions = details.toCallOptions(signal);
        // The RPC is an attempt of the application's call: the channel records it as one.
        if (telemetry !== undefined) (callOptions as Chained)[CALL_TELEMETRY] = telemetry;
        try {
          return callable(requestOrIterator, callOptions);
        } catch (error) {
          // The channel refused the call (closed, bad options): the caller gets this error itself.
          markChannelError(error);
          throw error;
        }
      },
      standIn: (index, details, request, telemetry, ran) =>
        createInterceptedCall(chain, index, details, request, undefined, telemetry, ran),
    };
    return (requestOrIterator, callOptions) => {
      // Telemetry records the call as the application made it, here, before the interceptors
      // run; each RPC they make on the channel is one of its attempts. A chain beneath another
      // (interceptChannel over interceptChannel) records into the outer chain's call.
      // The options are checked first: a call refused at once records nothing.
      const details = ClientCallDetails.fromOptions(method, callOptions);
      const outer = (callOptions as Chained | undefined)?.[CALL_TELEMETRY];
      const telemetry = outer ?? (channel as TelemetryChannel)[CHANNEL_TELEMETRY]?.(method);
      const call = createInterceptedCall(
        chain,
        0,
        details,
        requestOrIterator,
        callOptions?.signal,
        telemetry,
      );
      // Ended with the final call's status, synchronously and before any done callback runs.
      if (telemetry !== undefined && outer === undefined) {
        onCallEnd(call, (code, callDetails) => telemetry.onCallEnd(code, callDetails));
      }
      return call;
    };
  }

  /** The wrapped channel's clock (the system's when it tells none), for a chain above this one. */
  get [CHANNEL_CLOCK](): Clock {
    return (this.#channel as ClockChannel)[CHANNEL_CLOCK] ?? systemClock;
  }

  /** The wrapped channel's call recorders, for a chain above this one. */
  [CHANNEL_TELEMETRY](method: string): ClientCallTelemetry | undefined {
    return (this.#channel as TelemetryChannel)[CHANNEL_TELEMETRY]?.(method);
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
