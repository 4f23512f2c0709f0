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
  type ChannelOption,
  type ClientCallTelemetry,
  type Clock,
  type Compression,
  checkTelemetry,
  type Deserializer,
  globalTelemetry,
  isCompression,
  type MethodOptions,
  type RequestIterable,
  type Serializer,
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
import type { CallOwner, ClientCall, ClientCallInit } from './client-call.js';
import { grpcJsChannelCredentials } from './credentials.js';
import { GrpcJsChannelTransport } from './grpc-js-transport.js';
import { toGrpcJsChannelOptions } from './options.js';
import type { ChannelTransport } from './transport.js';

/** The message of the RangeError a negative (or non-numeric) grace gives. */
/** Python's text (ValueError there), followed by `, got <grace>.`. */
export const INVALID_GRACE = 'grace must be non-negative';
/** The message of the RangeError a bad timeout gives. */
export const INVALID_TIMEOUT = 'timeout must be a number of seconds.';
/** The channel option that sets the largest request metadata a call may send, in bytes. */
export const MAX_SEND_METADATA_SIZE_OPTION = 'grpc-aio.max_send_metadata_size';
/**
 * The default of {@link MAX_SEND_METADATA_SIZE_OPTION}: 128 KiB in all. Measured from a grpc-js
 * client (Node 20): Node's HTTP/2 servers (grpc-js's, grpc-aio's, plain node:http2) accept at least
 * 147 KiB of HPACK-encoded request headers in all, but at most {@link MAX_SEND_METADATA_ENTRY_SIZE}
 * in one field. Past either they reset the stream (grpc-js reports INTERNAL "Received RST_STREAM
 * with code 9"), so such a call fails before anything is sent, with a message that says why.
 * C-core servers (Python, C++) refuse more than 8 KiB by default, with RESOURCE_EXHAUSTED.
 */
export const DEFAULT_MAX_SEND_METADATA_SIZE = 128 * 1024;
/**
 * The largest metadata entry (key + value as sent, `-bin` values as base64) a call may send while
 * {@link MAX_SEND_METADATA_SIZE_OPTION} is not set: 65,536 bytes, the most nghttp2 (Node's HTTP/2)
 * decodes in one header field (HPACK-encoded; Huffman coding, which grpc-js applies, can fit a
 * little more text). Setting the option sets this limit too.
 */
export const MAX_SEND_METADATA_ENTRY_SIZE = 65_536;

/**
 * Size of metadata as HTTP/2 counts a header list (RFC 9113: name + value + 32 per field), and its
 * largest entry (name + value), both with `-bin` values as base64.
 */
function headerListSize(metadata: Metadata): { total: number; largest: number; largestKey: string } {
  let total = 0;
  let largest = 0;
  let largestKey = '';
  for (const [key, value] of metadata) {
    const entry =
      key.length + (typeof value === 'string' ? value.length : Math.ceil(value.byteLength / 3) * 4);
    total += entry + 32;
    if (entry > largest) {
      largest = entry;
      largestKey = key;
    }
  }
  return { total, largest, largestKey };
}

/** Options of a {@link ClientChannel} beyond its transport. */
export interface ClientChannelOptions {
  /** The largest request metadata a call may send, in bytes (default {@link DEFAULT_MAX_SEND_METADATA_SIZE}). */
  maxSendMetadataSize?: number | undefined;
  /**
   * Telemetry for this channel's calls, in place of the globally registered one (an
   * `OpenTelemetryPlugin` of `@grpc-aio/observability`).
   */
  telemetry?: CallTelemetry | null | undefined;
}

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

/** Options of {@link insecureChannel} and {@link secureChannel}. */
export interface ChannelArguments {
  /**
   * Channel arguments as `[key, value]` pairs (grpc core names), passed through to grpc-js, which
   * ignores the ones it does not know, as C-core does (they are channel arguments, not options of
   * this function). A pair that is not `[string, primitive]` is a TypeError.
   */
  options?: Iterable<ChannelOption> | null | undefined;
  /** The default compression of the channel's requests. */
  compression?: Compression | null | undefined;
  /**
   * Telemetry for this channel's calls (an `OpenTelemetryPlugin` of `@grpc-aio/observability`), in
   * place of the globally registered one. Without it, the calls report to whatever telemetry is
   * registered globally when each call starts.
   */
  telemetry?: CallTelemetry | null | undefined;
}

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
    const telemetry = this.#telemetry ?? globalTelemetry();
    return telemetry?.clientCall?.({ method, target: this.#transport.target ?? 'unknown' });
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
    const { total, largest, largestKey } = headerListSize(metadata);
    if (total > this.#maxSendMetadataSize) {
      throw new RangeError(
        `Request metadata of ${total} bytes exceeds the limit of ${this.#maxSendMetadataSize} bytes (channel option ${MAX_SEND_METADATA_SIZE_OPTION}); HTTP/2 servers refuse such a header block.`,
      );
    }
    if (largest > this.#maxSendMetadataEntrySize) {
      throw new RangeError(
        `Request metadata entry "${largestKey}" of ${largest} bytes exceeds ${this.#maxSendMetadataEntrySize} bytes, the most Node's HTTP/2 servers (nghttp2) decode in one header field: they would reset the stream. Set channel option ${MAX_SEND_METADATA_SIZE_OPTION} for servers that take more.`,
      );
    }
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
    let call: ClientCallTelemetry | undefined;
    if (chained === undefined) {
      const telemetry = this.#telemetry ?? globalTelemetry();
      if (telemetry !== undefined)
        call = telemetry.clientCall?.({ method, target: transport.target ?? 'unknown' });
    }
    return {
      telemetry: (chained ?? call)?.attempt(),
      callTelemetry: call,
      transport: transport.createCall(method, deadline, options, kind),
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

function checkCompression(compression: unknown): Compression | undefined {
  if (compression == null) return undefined;
  if (!isCompression(compression)) throw new TypeError(`Unknown compression value: ${String(compression)}.`);
  return compression;
}

function checkTarget(target: unknown): void {
  if (typeof target !== 'string' || target.length === 0)
    throw new TypeError('The target must be a non-empty string.');
}

function checkMethod(method: unknown): void {
  if (typeof method !== 'string')
    throw new TypeError('The method must be a string like "/package.Service/Method".');
}

function checkRequests(requests: unknown): void {
  if (requests == null) return;
  const candidate = requests as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  if (
    typeof candidate[Symbol.asyncIterator] !== 'function' &&
    typeof candidate[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError('The request iterator must be an iterable or async iterable (or null).');
  }
}

/** grpc-js's options, and ours (taken out: grpc-js does not know them). */
/** The keys of {@link ChannelArguments}: anything else is refused. */
const CHANNEL_ARGUMENTS = new Set(['options', 'compression', 'telemetry']);
/** The keys of CallOptions: anything else is refused. */
const CALL_OPTIONS = new Set(['timeout', 'metadata', 'credentials', 'waitForReady', 'compression', 'signal']);

function channelArgumentHint(key: string): string | undefined {
  if (key === 'interceptors')
    return "@grpc-aio/channel has no interceptors: use grpc-aio's insecureChannel()/secureChannel(), or interceptChannel() from @grpc-aio/interceptors";
  if (key.includes('.')) return `a channel argument goes in options: [['${key}', value]]`;
  return undefined;
}

/** The keys of ClientChannelOptions. */
const CLIENT_CHANNEL_OPTIONS = new Set(['maxSendMetadataSize', 'telemetry']);
/** The keys of MethodOptions (the multi-callable factories' last argument). */
const METHOD_OPTIONS = new Set(['registeredMethod']);
/** The keys of WaitOptions. */
const WAIT_OPTIONS = new Set(['signal']);

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).aborted === 'boolean'
  );
}

function checkMethodOptions(what: string, options: MethodOptions | undefined): void {
  if (options == null) return;
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, METHOD_OPTIONS, methodOptionHint);
}

function methodOptionHint(key: string): string | undefined {
  return CALL_OPTIONS.has(key) ? 'a call option goes to the call: callable(request, { ... })' : undefined;
}

/** Refuses what a wait does not take: a `timeout` is a signal here (`AbortSignal.timeout(ms)`). */
function checkWaitOptions(what: string, options: WaitOptions | undefined): void {
  if (options == null) return;
  if (typeof options !== 'object')
    throw new TypeError(`${what} options must be an object, got ${typeof options}.`);
  rejectUnknownOptions(what, options, WAIT_OPTIONS, waitOptionHint);
  if (options.signal != null && !isAbortSignal(options.signal)) {
    throw new TypeError(`${what} option signal must be an AbortSignal, got ${typeof options.signal}.`);
  }
}

function waitOptionHint(key: string): string | undefined {
  return key === 'timeout' ? 'bound the wait with signal: AbortSignal.timeout(ms)' : undefined;
}

function callOptionHint(key: string): string | undefined {
  if (key === 'deadline') return 'give timeout, in seconds';
  return undefined;
}

function splitOptions(
  what: string,
  args: ChannelArguments | undefined,
): [ReturnType<typeof toGrpcJsChannelOptions>, ClientChannelOptions] {
  if (args != null) {
    if (typeof args !== 'object')
      throw new TypeError(`${what} options must be an object, got ${typeof args}.`);
    rejectUnknownOptions(what, args, CHANNEL_ARGUMENTS, channelArgumentHint);
  }
  const options = toGrpcJsChannelOptions(args?.options);
  const maxSendMetadataSize = options[MAX_SEND_METADATA_SIZE_OPTION];
  delete options[MAX_SEND_METADATA_SIZE_OPTION];
  if (
    maxSendMetadataSize !== undefined &&
    (typeof maxSendMetadataSize !== 'number' || !(maxSendMetadataSize >= 0))
  ) {
    throw new TypeError(`Channel option ${MAX_SEND_METADATA_SIZE_OPTION} must be a number of bytes.`);
  }
  return [options, { maxSendMetadataSize, telemetry: checkTelemetry(what, args?.telemetry) }];
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
