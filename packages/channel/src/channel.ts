import { credentials as grpcJsCredentials } from '@grpc/grpc-js';
import type {
  Call,
  StreamStreamMultiCallable,
  StreamUnaryMultiCallable,
  UnaryStreamMultiCallable,
  UnaryUnaryMultiCallable,
  WaitOptions,
} from '@grpc-aio/core';
import {
  CALL_TELEMETRY,
  type CallKind,
  type CallOptions,
  type CallTelemetry,
  CHANNEL_CLOCK,
  CHANNEL_TELEMETRY,
  type Channel,
  ChannelConnectivity,
  type ChannelCredentials,
  type ClientAttemptTelemetry,
  type ClientCallTelemetry,
  type Clock,
  checkTelemetry,
  type Deserializer,
  globalTelemetry,
  isCompression,
  type MethodOptions,
  type RequestIterable,
  type Serializer,
  StatusCode,
  systemClock,
} from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import { CALL_CREDENTIALS_ON_INSECURE_CHANNEL, CHANNEL_CLOSED, UsageError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import {
  StreamStreamCallImpl,
  StreamUnaryCallImpl,
  UnaryStreamCallImpl,
  UnaryUnaryCallImpl,
} from './calls.js';
import type { ClientCall } from './client-call.js';
import { grpcJsChannelCredentials } from './credentials.js';
import { GrpcJsChannelTransport } from './grpc-js-transport.js';
import {
  checkSendMetadata,
  DEFAULT_MAX_SEND_METADATA_SIZE,
  MAX_SEND_METADATA_ENTRY_SIZE,
} from './metadata-limits.js';
import {
  CALL_OPTIONS,
  type ChannelArguments,
  CLIENT_CHANNEL_OPTIONS,
  type ClientChannelOptions,
  callOptionHint,
  checkCompression,
  checkMethod,
  checkMethodOptions,
  checkRequests,
  checkTarget,
  checkWaitOptions,
  isAbortSignal,
  splitOptions,
} from './options.js';
import type { CallOwner, ChannelTransport, ClientCallInit } from './transport.js';

/** The message of the RangeError a negative (or non-numeric) grace gives. */
/** Python's text (ValueError there), followed by `, got <grace>.`. */
export const INVALID_GRACE = 'grace must be non-negative';
/** The message of the RangeError a bad timeout gives. */
export const INVALID_TIMEOUT = 'timeout must be a number of seconds.';

/** {@link UnaryUnaryMultiCallable} returning the concrete call class (which adds `catch`/`finally`). */
export type UnaryUnaryCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  request: TRequest,
  options?: CallOptions,
) => UnaryUnaryCallImpl<TRequest, TResponse>;
/** {@link UnaryStreamMultiCallable} returning the concrete call class. */
export type UnaryStreamCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  request: TRequest,
  options?: CallOptions,
) => UnaryStreamCallImpl<TRequest, TResponse>;
/** {@link StreamUnaryMultiCallable} returning the concrete call class (which adds `catch`/`finally`). */
export type StreamUnaryCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  requestIterator?: RequestIterable<TRequest> | null,
  options?: CallOptions,
) => StreamUnaryCallImpl<TRequest, TResponse>;
/** {@link StreamStreamMultiCallable} returning the concrete call class. */
export type StreamStreamCallable<TRequest = Uint8Array, TResponse = Uint8Array> = (
  requestIterator?: RequestIterable<TRequest> | null,
  options?: CallOptions,
) => StreamStreamCallImpl<TRequest, TResponse>;

/** The message of the TypeError a recorder without `attempt()`/`onCallEnd()` gives. */
const NOT_A_CALL_RECORDER =
  'A CallTelemetry.clientCall() must return a ClientCallTelemetry with attempt() and onCallEnd() (or undefined)';

/** `recorder`, checked: one written against another shape of the seam fails clearly. */
function checkedRecorder(recorder: ClientCallTelemetry | null | undefined): ClientCallTelemetry | undefined {
  if (recorder == null) return undefined;
  if (typeof recorder.attempt !== 'function' || typeof recorder.onCallEnd !== 'function')
    throw new TypeError(
      `${NOT_A_CALL_RECORDER}, got ${typeof recorder === 'object' ? Object.keys(recorder).join(', ') : typeof recorder}.`,
    );
  return recorder;
}

/** The multi-callable of each call kind. */
type CallableOf<K extends CallKind, TRequest, TResponse> = {
  unaryUnary: UnaryUnaryCallable<TRequest, TResponse>;
  unaryStream: UnaryStreamCallable<TRequest, TResponse>;
  streamUnary: StreamUnaryCallable<TRequest, TResponse>;
  streamStream: StreamStreamCallable<TRequest, TResponse>;
}[K];

/** The call class of each call kind. */
const CALL_CLASSES = {
  unaryUnary: UnaryUnaryCallImpl,
  unaryStream: UnaryStreamCallImpl,
  streamUnary: StreamUnaryCallImpl,
  streamStream: StreamStreamCallImpl,
} as const;

/** Options of the waits on a channel (the core contract's). */
export type { WaitOptions } from '@grpc-aio/core';

const EMPTY_METADATA = new Metadata().asReadonly() as Metadata;

function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A client channel (Python's `aio.Channel`) over a `ChannelTransport` (from `@grpc-aio/channel/internal`): grpc-js for channels
 * made by {@link insecureChannel}/{@link secureChannel}, a fake one in the testing package.
 */
export class ClientChannel implements Channel, CallOwner {
  readonly #transport: ChannelTransport;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #calls = new Set<Call>();
  #drained: (() => void) | undefined;
  readonly #maxSendMetadataSize: number;
  readonly #maxSendMetadataEntrySize: number;
  readonly #telemetry: CallTelemetry | undefined;
  readonly #clock: Clock;

  /**
   * @param options refused with a TypeError when they hold a key other than `maxSendMetadataSize`,
   *   or a `maxSendMetadataSize` that is not a number of bytes.
   */
  constructor(transport: ChannelTransport, options?: ClientChannelOptions) {
    if (options != null) {
      rejectUnknownOptions('new ClientChannel()', options, CLIENT_CHANNEL_OPTIONS);
      const size = options.maxSendMetadataSize;
      if (size !== undefined && (typeof size !== 'number' || !(size >= 0)))
        throw new TypeError(
          `ClientChannel option maxSendMetadataSize must be a number of bytes, got ${String(size)}.`,
        );
    }
    this.#telemetry = checkTelemetry('ClientChannel', options?.telemetry);
    this.#transport = transport;
    this.#clock = transport.clock ?? systemClock;
    this.#maxSendMetadataSize = options?.maxSendMetadataSize ?? DEFAULT_MAX_SEND_METADATA_SIZE;
    this.#maxSendMetadataEntrySize = options?.maxSendMetadataSize ?? MAX_SEND_METADATA_ENTRY_SIZE;
  }

  /** The transport this channel runs on. */
  get transport(): ChannelTransport {
    return this.#transport;
  }

  /** The clock of this channel's deadlines (its transport's), for interceptor chains above it. */
  get [CHANNEL_CLOCK](): Clock {
    return this.#clock;
  }

  /**
   * The recorder of a call made through interceptors on this channel (the `TelemetryChannel`
   * seam of `@grpc-aio/core`): undefined when no telemetry is set or registered.
   */
  [CHANNEL_TELEMETRY](method: string): ClientCallTelemetry | undefined {
    // A closed channel refuses calls: they are not recorded (as without interceptors).
    if (this.#closed) return undefined;
    const telemetry = this.#telemetry ?? globalTelemetry();
    return checkedRecorder(telemetry?.clientCall?.({ method, target: this.#transport.target ?? 'unknown' }));
  }

  unaryUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    methodOptions?: MethodOptions,
  ): UnaryUnaryCallable<TRequest, TResponse> {
    return this.#callable('unaryUnary', method, requestSerializer, responseDeserializer, methodOptions);
  }

  unaryStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    methodOptions?: MethodOptions,
  ): UnaryStreamCallable<TRequest, TResponse> {
    return this.#callable('unaryStream', method, requestSerializer, responseDeserializer, methodOptions);
  }

  streamUnary<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    methodOptions?: MethodOptions,
  ): StreamUnaryCallable<TRequest, TResponse> {
    return this.#callable('streamUnary', method, requestSerializer, responseDeserializer, methodOptions);
  }

  streamStream<TRequest = Uint8Array, TResponse = Uint8Array>(
    method: string,
    requestSerializer?: Serializer<TRequest> | null,
    responseDeserializer?: Deserializer<TResponse> | null,
    methodOptions?: MethodOptions,
  ): StreamStreamCallable<TRequest, TResponse> {
    return this.#callable('streamStream', method, requestSerializer, responseDeserializer, methodOptions);
  }

  /** The multi-callable of one method: checks, makes and tracks the call object of `kind`. */
  #callable<K extends CallKind, TRequest, TResponse>(
    kind: K,
    method: string,
    requestSerializer: Serializer<TRequest> | null | undefined,
    responseDeserializer: Deserializer<TResponse> | null | undefined,
    methodOptions: MethodOptions | undefined,
  ): CallableOf<K, TRequest, TResponse> {
    checkMethod(method);
    checkMethodOptions(`${kind}()`, methodOptions);
    const Impl = CALL_CLASSES[kind] as new (
      init: ClientCallInit<TRequest, TResponse>,
      metadata: Metadata,
      request: unknown,
    ) => ClientCall<TRequest, TResponse>;
    const streamingRequest = kind === 'streamUnary' || kind === 'streamStream';
    return ((requestOrIterator?: unknown, options?: CallOptions) => {
      const metadata = this.#check(options);
      if (streamingRequest) checkRequests(requestOrIterator as RequestIterable<TRequest> | null | undefined);
      const call = new Impl(
        this.#init(kind, method, requestSerializer, responseDeserializer, options),
        metadata,
        requestOrIterator,
      );
      this.#track(call);
      return call;
    }) as CallableOf<K, TRequest, TResponse>;
  }

  /** Validates a call's options synchronously and returns its metadata. */
  #check(options: CallOptions | undefined): Metadata {
    if (this.#closed) throw new UsageError(CHANNEL_CLOSED);
    if (options === undefined) return EMPTY_METADATA;
    if (typeof options !== 'object' || options === null)
      throw new TypeError(
        `A call's options must be an object, got ${options === null ? 'null' : typeof options}.`,
      );
    rejectUnknownOptions('A call', options, CALL_OPTIONS, callOptionHint);
    const timeout = options.timeout;
    if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError(INVALID_TIMEOUT);
    }
    const { waitForReady, signal } = options;
    if (waitForReady != null && typeof waitForReady !== 'boolean') {
      throw new TypeError(`Call option waitForReady must be a boolean, got ${typeof waitForReady}.`);
    }
    if (signal != null && !isAbortSignal(signal)) {
      throw new TypeError(`Call option signal must be an AbortSignal, got ${typeof signal}.`);
    }
    if (options.credentials != null && !this.#transport.secure) {
      throw new UsageError(CALL_CREDENTIALS_ON_INSECURE_CHANNEL);
    }
    if (options.compression != null && !isCompression(options.compression)) {
      throw new TypeError(`Unknown compression value: ${String(options.compression)}.`);
    }
    if (options.metadata == null) return EMPTY_METADATA;
    const metadata = Metadata.from(options.metadata);
    checkSendMetadata(metadata, this.#maxSendMetadataSize, this.#maxSendMetadataEntrySize);
    return metadata;
  }

  #init<TRequest, TResponse>(
    kind: CallKind,
    method: string,
    serializer: Serializer<TRequest> | null | undefined,
    deserializer: Deserializer<TResponse> | null | undefined,
    options: CallOptions | undefined,
  ): ClientCallInit<TRequest, TResponse> {
    const timeout = options?.timeout;
    const transport = this.#transport;
    const clock = this.#clock;
    const deadline = timeout == null ? Number.POSITIVE_INFINITY : clock.now() + timeout * 1000;
    // An interceptor chain's call: this RPC is one of its attempts (the chain ends the call).
    // Otherwise the one telemetry check of a call: nothing more runs for it when no telemetry is
    // set or registered, and the call is its own single attempt.
    const chained = (options as { [CALL_TELEMETRY]?: ClientCallTelemetry } | undefined)?.[CALL_TELEMETRY];
    // The transport first: a call it refuses (it throws) records nothing.
    const callTransport = transport.createCall(method, deadline, options, kind);
    let call: ClientCallTelemetry | undefined;
    let attempt: ClientAttemptTelemetry | undefined;
    try {
      if (chained === undefined) {
        // (The channel is open: #check refused the call otherwise.)
        call = this[CHANNEL_TELEMETRY](method);
      }
      attempt = (chained ?? call)?.attempt();
    } catch (error) {
      // The call is refused: its transport call, made but not started, is released.
      callTransport.cancel(StatusCode.CANCELLED, 'The call was refused by its telemetry');
      throw error;
    }
    return {
      telemetry: attempt,
      callTelemetry: call,
      transport: callTransport,
      method,
      serializer,
      deserializer,
      deadline,
      clock,
      signal: options?.signal ?? undefined,
      owner: this,
    };
  }

  #track(call: Call): void {
    if (!call.done()) this.#calls.add(call);
  }

  /** @internal Called by a call of this channel when it ends. */
  callDone(call: Call): void {
    this.#calls.delete(call);
    if (this.#calls.size === 0 && this.#drained !== undefined) this.#drained();
  }

  close(grace?: number | null): Promise<void> {
    if (grace != null && typeof grace !== 'number') {
      return Promise.reject(new TypeError(`grace must be a number of seconds or null, got ${typeof grace}.`));
    }
    if (grace != null && !(grace >= 0))
      return Promise.reject(new RangeError(`${INVALID_GRACE}, got ${grace}.`));
    if (this.#closing !== undefined) {
      // A later close without grace cuts a graceful close short.
      if (grace == null) this.#cancelAll();
      return this.#closing;
    }
    this.#closed = true;
    this.#closing = this.#close(grace ?? undefined);
    return this.#closing;
  }

  async #close(grace: number | undefined): Promise<void> {
    if (grace !== undefined && this.#calls.size > 0) {
      let cancelTimer = (): void => {};
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        cancelTimer = this.#clock.schedule(resolve, grace * 1000);
      });
      cancelTimer();
      this.#drained = undefined;
    }
    this.#cancelAll();
    this.#transport.close();
  }

  #cancelAll(): void {
    for (const call of [...this.#calls]) call.cancel();
    this.#drained?.();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  getState(tryToConnect = false): ChannelConnectivity {
    if (this.#closed) return ChannelConnectivity.SHUTDOWN;
    return this.#transport.getState(tryToConnect);
  }

  /**
   * Resolves on the first state change away from `lastObservedState` (at once when the state
   * already differs). Our addition: `options.signal` bounds the wait.
   */
  waitForStateChange(lastObservedState: ChannelConnectivity, options?: WaitOptions): Promise<void> {
    try {
      checkWaitOptions('waitForStateChange()', options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.reject(new UsageError(CHANNEL_CLOSED));
    if (this.#transport.getState(false) !== lastObservedState) return Promise.resolve();
    const changed = new Promise<void>((resolve) => {
      this.#transport.watchState(lastObservedState, resolve);
    });
    return withSignal(changed, options?.signal);
  }

  /**
   * Resolves once the channel is READY, connecting if needed. grpc-js has no connect timeout, so on
   * an unreachable address this waits until the address answers: bound it with `options.signal`
   * (e.g. `AbortSignal.timeout(5000)`), which rejects with the signal's reason.
   * @throws UsageError when the channel is (or gets) closed.
   */
  channelReady(options?: WaitOptions): Promise<void> {
    try {
      checkWaitOptions('channelReady()', options);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    const loop = async (): Promise<void> => {
      for (;;) {
        if (this.#closed) throw new UsageError(CHANNEL_CLOSED);
        if (signal?.aborted) throw signal.reason;
        const state = this.getState(true);
        if (state === ChannelConnectivity.READY) return;
        await this.waitForStateChange(state, options);
      }
    };
    return loop();
  }
}

/**
 * Opens a plaintext channel to `target` (Python's `grpc.aio.insecure_channel`). `target` is any
 * target grpc-js accepts: `host:port`, `dns:`, `ipv4:`, `ipv6:`, `unix:`.
 */
export function insecureChannel(target: string, args?: ChannelArguments): ClientChannel {
  checkTarget(target);
  const [options, channelOptions] = splitOptions('insecureChannel()', args);
  return new ClientChannel(
    new GrpcJsChannelTransport(
      target,
      grpcJsCredentials.createInsecure(),
      false,
      options,
      checkCompression(args?.compression),
    ),
    channelOptions,
  );
}

/**
 * Opens a channel to `target` with `credentials` (Python's `grpc.aio.secure_channel`). Call
 * credentials are allowed on its calls when `credentials` are secure.
 */
export function secureChannel(
  target: string,
  credentials: ChannelCredentials,
  args?: ChannelArguments,
): ClientChannel {
  checkTarget(target);
  const [options, channelOptions] = splitOptions('secureChannel()', args);
  return new ClientChannel(
    new GrpcJsChannelTransport(
      target,
      grpcJsChannelCredentials(credentials),
      credentials.secure,
      options,
      checkCompression(args?.compression),
    ),
    channelOptions,
  );
}
