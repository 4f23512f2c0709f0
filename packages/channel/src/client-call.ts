import type {
  Call,
  ClientAttemptTelemetry,
  ClientCallTelemetry,
  Clock,
  Deserializer,
  RequestIterable,
  Serializer,
} from '@grpc-aio/core';
import { EOF, isStatusCode, StatusCode, systemClock } from '@grpc-aio/core';
import { CALL_END } from '@grpc-aio/core/internal';
import {
  AioRpcError,
  API_STYLES_MIXED,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  LOCALLY_CANCELLED,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import {
  reportCallbackError,
  runDoneCallbacks,
  TELEMETRY_FAILED,
  terminatedRepr,
} from '@grpc-aio/errors/internal';
import { Metadata } from '@grpc-aio/metadata';
import type { CallTransport, TransportListener, TransportStatus } from './transport.js';

/** Details of a unary-response RPC that ended OK without a response (as grpc-js reports it). */
export const NO_MESSAGE_RECEIVED = 'No message received';
/** Details of a unary-response RPC whose server sent more than one response. */
export const TOO_MANY_RESPONSES = 'Too many responses received';
/**
 * The start of the details of a call whose server sent a `grpc-status` that is not a status code
 * (a number outside 0..16, not a number, or two values): the call ends with UNKNOWN, as gRPC's
 * status-code rules ask, and these details, followed by what was received.
 */
export const INVALID_STATUS_RECEIVED = 'Invalid grpc-status received from the server';

/** UNKNOWN for a code that is not a StatusCode, with details saying what was received. */
function checkedStatus(status: TransportStatus): TransportStatus {
  if (isStatusCode(status.code)) return status;
  const received = Number.isNaN(status.code) ? 'not one number' : String(status.code);
  const details = `${INVALID_STATUS_RECEIVED}: ${received}${status.details === '' ? '' : ` (grpc-message: ${status.details})`}`;
  return {
    code: StatusCode.UNKNOWN,
    details,
    metadata: status.metadata,
    debugErrorString: details,
    cause: status.cause,
  };
}

/**
 * How many responses of a streaming call are taken from the transport ahead of the application
 * (grpc-js's own streams buffer 16: the object-mode high-water mark of a Node Readable).
 */
export const READ_AHEAD = 16;

enum Style {
  Unknown = 0,
  Iterator = 1,
  ReaderWriter = 2,
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toBytes(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message;
  throw new TypeError(
    `Without a request serializer, requests must be a Uint8Array (or Buffer), got ${message === null ? 'null' : typeof message}.`,
  );
}

const SENT = 0;
const RECEIVED = 1;

/** Runs an end listener; one that throws is logged. */
function reportEnd(
  listener: (code: StatusCode, details: string) => void,
  code: StatusCode,
  details: string,
): void {
  try {
    listener(code, details);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
  }
}

/** What a serializer threw (the call has ended INTERNAL). */
class SerializationFailure {
  constructor(readonly error: unknown) {}
}

// Unary requests need no write acknowledgement: the status tells the outcome.
function ignoreWriteResult(): void {}

function toIteratorResult<T>(message: T | EOF): IteratorResult<T> {
  return message === EOF ? { done: true, value: undefined } : { done: false, value: message as T };
}

/** What a call reports to its owner (the channel) when it ends. */
export interface CallOwner {
  callDone(call: Call): void;
}

/** The construction parameters every call kind shares. */
export interface ClientCallInit<TRequest, TResponse> {
  transport: CallTransport;
  /** The method path, named when a done callback throws. */
  method?: string | undefined;
  serializer?: Serializer<TRequest> | null | undefined;
  deserializer?: Deserializer<TResponse> | null | undefined;
  /** Milliseconds since the epoch; `Infinity` (or undefined) for no deadline. */
  deadline?: number | undefined;
  signal?: AbortSignal | undefined;
  owner?: CallOwner | undefined;
  /** The clock `timeRemaining()` reads (default: the system clock). */
  clock?: Clock | undefined;
  /** Records this RPC as an attempt (metrics, traces); undefined when no telemetry is set or registered. */
  telemetry?: ClientAttemptTelemetry | undefined;
  /** Records the call, when this RPC is the whole call (not an attempt of an interceptor chain's call). */
  callTelemetry?: ClientCallTelemetry | undefined;
}

/**
 * The machinery shared by the four client call kinds: status, metadata, cancellation, reading
 * and writing over a {@link CallTransport}. The public call classes expose the parts their kind
 * has. Internal: use the four subclasses.
 */
export abstract class ClientCall<TRequest, TResponse> implements Call, TransportListener {
  protected readonly transport: CallTransport;
  protected readonly serializer: Serializer<TRequest> | null | undefined;
  protected readonly deserializer: Deserializer<TResponse> | null | undefined;
  readonly #deadline: number;
  readonly #clock: Clock;
  readonly #method: string;
  #owner: CallOwner | undefined;
  readonly #telemetry: ClientAttemptTelemetry | undefined;
  readonly #callTelemetry: ClientCallTelemetry | undefined;

  #status: TransportStatus | undefined;
  #locallyCancelled = false;
  #error: Error | undefined;
  #initialMetadata: Metadata | undefined;
  #metadataWaiter: Deferred<Metadata> | undefined;
  #statusWaiter: Deferred<TransportStatus> | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: each callback takes the call as its own class (`this`), which would make the class invariant
  #doneCallbacks: ((call: any) => void)[] | undefined;
  #endListeners: ((code: StatusCode, details: string) => void)[] | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #connectionWaiter: Deferred<void> | undefined;
  #streamingRequests = false;
  // Flow control on reads: #pulling while a transport read is outstanding; #drain once the status
  // is awaited (every response is then taken as it comes).
  #pulling = false;
  #drain = false;

  // Response side.
  protected readonly unaryResponse: boolean;
  #response: TResponse | undefined;
  #responseCount = 0;
  #outcome: Promise<TResponse> | undefined;
  #outcomeWaiter: Deferred<TResponse> | undefined;
  #messages: TResponse[] | undefined;
  #readWaiters: Deferred<TResponse | EOF>[] | undefined;
  #responseStyle = Style.Unknown;
  #iterator: AsyncIterator<TResponse> | undefined;

  // Request side.
  #halfClosed = false;
  #requestStyle = Style.Unknown;
  #pendingWrites: Deferred<void>[] | undefined;
  // The transport takes one message at a time (grpc-js's call keeps a single pending slot):
  // writes made while one is in flight wait here, and a half-close waits for them.
  #sending = false;
  #sendQueue: { bytes: Uint8Array; request: TRequest; waiter: Deferred<void> }[] | undefined;
  #halfClosePending = false;

  constructor(init: ClientCallInit<TRequest, TResponse>, unaryResponse: boolean) {
    this.transport = init.transport;
    this.serializer = init.serializer;
    this.deserializer = init.deserializer;
    this.#deadline = init.deadline ?? Number.POSITIVE_INFINITY;
    this.#clock = init.clock ?? systemClock;
    this.#method = init.method ?? '';
    this.#owner = init.owner;
    this.#telemetry = init.telemetry;
    this.#callTelemetry = init.callTelemetry;
    this.unaryResponse = unaryResponse;
    const signal = init.signal;
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => {
        this.cancel();
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Starts the RPC on the transport with `metadata` (and what the telemetry adds to it). */
  protected startTransport(metadata: Metadata): void {
    const telemetry = this.#telemetry;
    let sent = metadata;
    if (telemetry !== undefined) {
      try {
        sent = telemetry.onAttemptStart(metadata);
      } catch (error) {
        reportCallbackError(TELEMETRY_FAILED, error);
      }
    }
    this.transport.start(sent, this);
  }

  /** Cancels at once when the call was made with an already aborted signal. */
  protected checkAborted(): void {
    if (this.#signal?.aborted) this.cancel();
  }

  // ---- RpcContext -------------------------------------------------------------------------

  cancelled(): boolean {
    return this.#locallyCancelled || this.#status?.code === StatusCode.CANCELLED;
  }

  done(): boolean {
    return this.#status !== undefined;
  }

  timeRemaining(): number | undefined {
    if (this.#deadline === Number.POSITIVE_INFINITY) return undefined;
    return Math.max(0, (this.#deadline - this.#clock.now()) / 1000);
  }

  cancel(): boolean {
    return this.cancelWith(LOCALLY_CANCELLED);
  }

  /** Cancels locally with `details` (and an optional cause kept on the CancelledError). */
  protected cancelWith(details: string, cause?: unknown): boolean {
    if (this.#status !== undefined) return false;
    this.#locallyCancelled = true;
    this.#finish({ code: StatusCode.CANCELLED, details, metadata: new Metadata(), cause });
    this.transport.cancel(StatusCode.CANCELLED, details);
    return true;
  }

  /** Tells the attempt's recorder a message's size; a recorder that throws is logged. */
  #record(direction: typeof SENT | typeof RECEIVED, bytes: number): void {
    try {
      if (direction === SENT) this.#telemetry!.onSent(bytes);
      else this.#telemetry!.onReceived(bytes);
    } catch (error) {
      reportCallbackError(TELEMETRY_FAILED, error);
    }
  }

  /** @internal The end of the call, for the interceptor chain above it (see `CALL_END`). */
  [CALL_END](listener: (code: StatusCode, details: string) => void): void {
    const status = this.#status;
    if (status !== undefined) reportEnd(listener, status.code, status.details);
    else (this.#endListeners ??= []).push(listener);
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (this.#status !== undefined) {
      runDoneCallbacks([callback], this, this.#method);
      return;
    }
    (this.#doneCallbacks ??= []).push(callback);
  }

  // ---- Call -------------------------------------------------------------------------------

  initialMetadata(): Promise<Metadata> {
    if (this.#initialMetadata !== undefined) return Promise.resolve(this.#initialMetadata);
    if (this.#status !== undefined) return Promise.resolve((this.#initialMetadata = new Metadata()));
    return (this.#metadataWaiter ??= deferred()).promise;
  }

  trailingMetadata(): Promise<Metadata> {
    return this.#whenDone().then((status) => status.metadata);
  }

  code(): Promise<StatusCode> {
    return this.#whenDone().then((status) => status.code);
  }

  details(): Promise<string> {
    return this.#whenDone().then((status) => status.details);
  }

  debugErrorString(): Promise<string> {
    return this.#whenDone().then((status) => status.debugErrorString ?? '');
  }

  waitForConnection(): Promise<void> {
    const status = this.#status;
    if (status !== undefined) {
      return status.code === StatusCode.OK ? Promise.resolve() : Promise.reject(this.#failure());
    }
    if (this.#initialMetadata !== undefined) return Promise.resolve();
    if (this.#connectionWaiter === undefined) {
      const waiter = deferred<void>();
      this.#connectionWaiter = waiter;
      // A stream-request call is connected once it started on a ready connection, as Python's
      // (which waits for its initial metadata to be sent): the server may answer only after the
      // first request, which the caller writes after this resolves.
      if (this.#streamingRequests && this.transport.whenStarted !== undefined) {
        this.transport.whenStarted(() => {
          if (this.#connectionWaiter !== waiter) return;
          this.#connectionWaiter = undefined;
          waiter.resolve();
        });
      }
    }
    return this.#connectionWaiter.promise;
  }

  /**
   * Python's string form of a call: `<UnaryUnaryCall object>` while it runs, then the block
   * AioRpcError prints (`<UnaryUnaryCall of RPC that terminated with: status, details,
   * debug_error_string>`), for OK too. (Python names every kind `_AioCall`, and its block for a
   * failed call swaps the status and details lines; this one does not.) Also what `util.inspect`
   * and `console.log` show.
   */
  toString(): string {
    const name = this.constructor.name.replace(/Impl$/, '');
    const status = this.#status;
    if (status === undefined) return `<${name} object>`;
    return terminatedRepr(name, status.code, status.details, status.debugErrorString);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** The peer's address ('' until known). Not part of Python's aio `Call`; handy for logging. */
  peer(): string {
    return this.transport.getPeer();
  }

  #whenDone(): Promise<TransportStatus> {
    if (this.#status !== undefined) return Promise.resolve(this.#status);
    // Waiting for the status of a stream nobody reads: grpc-js reports an OK status only once every
    // message was taken, so take them all (buffered) rather than wait forever.
    if (!this.#drain) {
      this.#drain = true;
      this.#pull();
    }
    return (this.#statusWaiter ??= deferred()).promise;
  }

  /**
   * Asks the transport for the next response, unless a read is outstanding or the call is over.
   * Responses are pulled as the application reads, with up to {@link READ_AHEAD} taken ahead of it:
   * a slow reader slows the server down through HTTP/2 flow control instead of filling memory.
   */
  #pull(): void {
    if (this.#pulling || this.#status !== undefined) return;
    this.#pulling = true;
    this.transport.startRead();
  }

  /** The error awaiting or reading this call raises (cached: always the same object). */
  #failure(): Error {
    if (this.#error !== undefined) return this.#error;
    const status = this.#status!;
    if (this.#locallyCancelled) {
      this.#error = new CancelledError(
        status.details,
        status.cause === undefined ? undefined : { cause: status.cause },
      );
    } else {
      this.#error = new AioRpcError(
        status.code,
        this.#initialMetadata,
        status.metadata,
        status.details,
        status.debugErrorString,
        status.cause === undefined ? undefined : { cause: status.cause },
      );
    }
    return this.#error;
  }

  // ---- TransportListener --------------------------------------------------------------------

  onTransportMetadata(metadata: Metadata): void {
    if (this.#status !== undefined || this.#initialMetadata !== undefined) return;
    this.#initialMetadata = metadata;
    const connection = this.#connectionWaiter;
    if (connection !== undefined) {
      this.#connectionWaiter = undefined;
      connection.resolve();
    }
    const waiter = this.#metadataWaiter;
    if (waiter !== undefined) {
      this.#metadataWaiter = undefined;
      waiter.resolve(metadata);
    }
  }

  onTransportMessage(bytes: Uint8Array, decoded?: { readonly value: unknown }): void {
    if (this.#status !== undefined) return;
    if (this.#telemetry !== undefined) this.#record(RECEIVED, bytes.byteLength);
    let message: TResponse;
    try {
      if (decoded !== undefined) message = decoded.value as TResponse;
      else message = this.deserializer == null ? (bytes as TResponse) : this.deserializer(bytes);
    } catch (error) {
      this.#failLocally(StatusCode.INTERNAL, `Response message parsing error: ${errorMessage(error)}`, error);
      return;
    }
    this.#pulling = false;
    if (this.unaryResponse) {
      if (++this.#responseCount > 1) {
        this.#failLocally(StatusCode.UNIMPLEMENTED, TOO_MANY_RESPONSES);
        return;
      }
      this.#response = message;
      this.#pull();
      return;
    }
    const waiters = this.#readWaiters;
    if (waiters !== undefined && waiters.length > 0) {
      waiters.shift()!.resolve(message);
    } else {
      (this.#messages ??= []).push(message);
    }
    // Read ahead a little (grpc-js reports an OK status only after every message was taken, and
    // drops the messages not taken yet when a non-OK status arrives); more only when the status is
    // awaited.
    if (this.#drain || (this.#messages?.length ?? 0) < READ_AHEAD) this.#pull();
  }

  onTransportStatus(received: TransportStatus): void {
    if (this.#status !== undefined) return;
    let status = checkedStatus(received);
    if (this.unaryResponse && status.code === StatusCode.OK && this.#responseCount === 0) {
      status = { code: StatusCode.UNIMPLEMENTED, details: NO_MESSAGE_RECEIVED, metadata: status.metadata };
    }
    this.#finish(status);
  }

  #failLocally(code: StatusCode, details: string, cause?: unknown): void {
    this.#finish({ code, details, metadata: new Metadata(), debugErrorString: details, cause });
    this.transport.cancel(code, details);
  }

  #finish(status: TransportStatus): void {
    this.#status = status;
    if (this.#telemetry !== undefined) {
      // A telemetry that throws must not leave the call unsettled (nor its call unended).
      try {
        this.#telemetry.onAttemptEnd(status.code, status.details);
      } catch (error) {
        reportCallbackError(TELEMETRY_FAILED, error);
      }
      const call = this.#callTelemetry;
      if (call !== undefined) {
        try {
          call.onCallEnd(status.code, status.details);
        } catch (error) {
          reportCallbackError(TELEMETRY_FAILED, error);
        }
      }
    }
    const endListeners = this.#endListeners;
    if (endListeners !== undefined) {
      this.#endListeners = undefined;
      for (const listener of endListeners) reportEnd(listener, status.code, status.details);
    }
    if (this.#signal !== undefined) {
      this.#signal.removeEventListener('abort', this.#onAbort!);
      this.#signal = undefined;
      this.#onAbort = undefined;
    }
    const ok = status.code === StatusCode.OK;
    if (this.#connectionWaiter !== undefined) {
      const waiter = this.#connectionWaiter;
      this.#connectionWaiter = undefined;
      if (ok) waiter.resolve();
      else waiter.reject(this.#failure());
    }
    if (this.#initialMetadata === undefined) {
      this.#initialMetadata = new Metadata();
      if (this.#metadataWaiter !== undefined) this.#metadataWaiter.resolve(this.#initialMetadata);
    }
    this.#metadataWaiter = undefined;
    if (this.#statusWaiter !== undefined) {
      this.#statusWaiter.resolve(status);
      this.#statusWaiter = undefined;
    }
    if (this.#outcomeWaiter !== undefined) {
      const waiter = this.#outcomeWaiter;
      this.#outcomeWaiter = undefined;
      if (ok) waiter.resolve(this.#response as TResponse);
      else waiter.reject(this.#failure());
    }
    const readers = this.#readWaiters;
    if (readers !== undefined && readers.length > 0) {
      this.#readWaiters = undefined;
      for (const reader of readers) {
        if (ok) reader.resolve(EOF);
        else reader.reject(this.#failure());
      }
    }
    this.#sendQueue = undefined;
    const writes = this.#pendingWrites;
    if (writes !== undefined && writes.length > 0) {
      this.#pendingWrites = undefined;
      for (const write of writes) {
        if (ok) write.resolve();
        else write.reject(this.#failure());
      }
    }
    const owner = this.#owner;
    if (owner !== undefined) {
      this.#owner = undefined;
      owner.callDone(this);
    }
    const callbacks = this.#doneCallbacks;
    if (callbacks !== undefined) {
      this.#doneCallbacks = undefined;
      runDoneCallbacks(callbacks, this, this.#method);
    }
  }

  // ---- Unary response ---------------------------------------------------------------------

  /** The response (or the failure) of a unary-response call, created on first use. */
  protected outcome(): Promise<TResponse> {
    if (this.#outcome !== undefined) return this.#outcome;
    const status = this.#status;
    if (status === undefined) {
      this.#outcomeWaiter = deferred();
      this.#outcome = this.#outcomeWaiter.promise;
    } else if (status.code === StatusCode.OK) {
      this.#outcome = Promise.resolve(this.#response as TResponse);
    } else {
      this.#outcome = Promise.reject(this.#failure());
    }
    return this.#outcome;
  }

  // ---- Streaming response -----------------------------------------------------------------

  /** `read()`: the next response or EOF. */
  protected readResponse(): Promise<TResponse | EOF> {
    if (this.#responseStyle === Style.Iterator) return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#responseStyle = Style.ReaderWriter;
    return this.#nextResponse();
  }

  #nextResponse(): Promise<TResponse | EOF> {
    const messages = this.#messages;
    if (messages !== undefined && messages.length > 0) {
      const message = messages.shift()!;
      this.#pull();
      return Promise.resolve(message);
    }
    const status = this.#status;
    if (status !== undefined) {
      return status.code === StatusCode.OK ? Promise.resolve(EOF) : Promise.reject(this.#failure());
    }
    const waiter = deferred<TResponse | EOF>();
    (this.#readWaiters ??= []).push(waiter);
    return waiter.promise;
  }

  /** `[Symbol.asyncIterator]()`: one shared iterator; breaking out early cancels the RPC. */
  protected responseIterator(): AsyncIterator<TResponse> {
    if (this.#responseStyle === Style.ReaderWriter) throw new UsageError(API_STYLES_MIXED);
    this.#responseStyle = Style.Iterator;
    if (this.#iterator !== undefined) return this.#iterator;
    // One promise step per response (no async wrapper around #nextResponse's promise).
    const next = (): Promise<IteratorResult<TResponse>> => this.#nextResponse().then(toIteratorResult);
    const finish = async (): Promise<IteratorResult<TResponse>> => {
      this.cancel();
      return { done: true, value: undefined };
    };
    this.#iterator = { next, return: finish };
    return this.#iterator;
  }

  // ---- Streaming request ------------------------------------------------------------------

  /** Sends the one request of a unary-request call. */
  protected sendUnaryRequest(request: TRequest): void {
    const bytes = this.#serialize(request);
    if (bytes instanceof SerializationFailure) return;
    if (this.#telemetry !== undefined) this.#record(SENT, bytes.byteLength);
    this.transport.sendMessage(bytes, ignoreWriteResult, request);
    this.transport.halfClose();
    this.#pull();
  }

  /** `request` serialized; when the serializer throws, the call ends INTERNAL. */
  #serialize(request: TRequest): Uint8Array | SerializationFailure {
    try {
      return this.serializer == null ? toBytes(request) : this.serializer(request);
    } catch (error) {
      this.#failLocally(
        StatusCode.INTERNAL,
        `Request message serialization failure: ${errorMessage(error)}`,
        error,
      );
      return new SerializationFailure(error);
    }
  }

  /** `write()` of the reader/writer style. */
  protected writeRequest(request: TRequest): Promise<void> {
    if (this.#requestStyle === Style.Iterator) return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#requestStyle = Style.ReaderWriter;
    return this.#write(request);
  }

  #write(request: TRequest): Promise<void> {
    if (this.#status !== undefined) return Promise.reject(new InvalidStateError(RPC_ALREADY_FINISHED));
    if (this.#halfClosed) return Promise.reject(new InvalidStateError(HALF_CLOSED));
    const bytes = this.#serialize(request);
    if (bytes instanceof SerializationFailure) return Promise.reject(bytes.error);
    const waiter = deferred<void>();
    (this.#pendingWrites ??= []).push(waiter);
    if (this.#sending) (this.#sendQueue ??= []).push({ bytes, request, waiter });
    else this.#send(bytes, request, waiter);
    return waiter.promise;
  }

  #send(bytes: Uint8Array, request: TRequest, waiter: Deferred<void>): void {
    this.#sending = true;
    if (this.#telemetry !== undefined) this.#record(SENT, bytes.byteLength);
    this.transport.sendMessage(
      bytes,
      (error) => {
        this.#sending = false;
        const pending = this.#pendingWrites;
        // Writes go out in the order they were made, so the one completing is the oldest pending
        // (no search: un-awaited bulk writes would make that quadratic). Not pending any more: the
        // status arrived first and settled it.
        if (pending !== undefined && pending[0] === waiter) {
          pending.shift();
          if (error == null) {
            waiter.resolve();
          } else if (this.#status !== undefined) {
            if (this.#status.code === StatusCode.OK) waiter.resolve();
            else waiter.reject(this.#failure());
          } else {
            waiter.reject(error);
          }
        }
        if (this.#status !== undefined) return;
        const next = this.#sendQueue?.shift();
        if (next !== undefined) this.#send(next.bytes, next.request, next.waiter);
        else if (this.#halfClosePending) {
          this.#halfClosePending = false;
          this.transport.halfClose();
        }
      },
      request,
    );
  }

  /** `doneWriting()` of the reader/writer style. */
  protected doneWritingRequests(): Promise<void> {
    if (this.#requestStyle === Style.Iterator) return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#requestStyle = Style.ReaderWriter;
    this.#halfClose();
    return Promise.resolve();
  }

  #halfClose(): void {
    if (this.#halfClosed || this.#status !== undefined) return;
    this.#halfClosed = true;
    // Writes still waiting for the transport go first.
    if (this.#sending) this.#halfClosePending = true;
    else this.transport.halfClose();
  }

  /** Starts the response side of a request-streaming call. */
  protected startStreaming(requests: RequestIterable<TRequest> | null | undefined): void {
    this.#streamingRequests = true;
    this.#pull();
    if (requests == null) return;
    this.#requestStyle = Style.Iterator;
    void this.#consume(requests);
  }

  async #consume(requests: RequestIterable<TRequest>): Promise<void> {
    try {
      for await (const request of requests) {
        if (this.#status !== undefined) return;
        try {
          await this.#write(request);
        } catch {
          // The RPC ended (its outcome reports why): stop consuming quietly, as Python does.
          return;
        }
      }
      this.#halfClose();
    } catch (error) {
      // A request iterable that throws cancels the RPC; the error is the CancelledError's cause.
      this.cancelWith(LOCALLY_CANCELLED, error);
    }
  }
}
