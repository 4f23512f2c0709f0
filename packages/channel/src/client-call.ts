import type {
  Call,
  ClientAttemptTelemetry,
  ClientCallTelemetry,
  Clock,
  Deserializer,
  RequestIterable,
  Serializer,
} from '@grpc-aio/core';
import { EOF, StatusCode, systemClock } from '@grpc-aio/core';
import { CALL_END, type Deferred, deferred } from '@grpc-aio/core/internal';
import { API_STYLES_MIXED, LOCALLY_CANCELLED, UsageError } from '@grpc-aio/errors';
import { type EndListener, reportEnd, runDoneCallbacks, terminatedRepr } from '@grpc-aio/errors/internal';
import { Metadata } from '@grpc-aio/metadata';
import { attemptEnd, attemptStart, recordMessage } from './attempt-telemetry.js';
import {
  checkedStatus,
  errorMessage,
  NO_MESSAGE_RECEIVED,
  SerializationFailure,
  statusError,
  TOO_MANY_RESPONSES,
  toBytes,
} from './call-status.js';
import { RequestWriter } from './request-writer.js';
import type {
  CallOwner,
  CallTransport,
  ClientCallInit,
  TransportListener,
  TransportStatus,
} from './transport.js';

/**
 * How many responses of a streaming call are taken from the transport ahead of the application
 * (grpc-js's own streams buffer 16: the object-mode high-water mark of a Node Readable).
 */
export const READ_AHEAD = 16;

// Unary requests need no write acknowledgement: the status tells the outcome.
function ignoreWriteResult(): void {}

function toIteratorResult<T>(message: T | EOF): IteratorResult<T> {
  return message === EOF ? { done: true, value: undefined } : { done: false, value: message as T };
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
  #endListeners: EndListener[] | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #connectionWaiter: Deferred<void> | undefined;
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
  #responseStyle: 'read' | 'iterate' | undefined;
  #iterator: AsyncIterator<TResponse> | undefined;

  // Request side of the stream-request kinds.
  #writer: RequestWriter<TRequest> | undefined;

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
      this.#onAbort = () => this.cancel();
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /**
   * Starts the RPC: sends `metadata` (and what the telemetry adds to it), then the request and the
   * half-close (`streaming` false), or starts the request side (`streaming`: `request` is the
   * optional request iterable). Cancels at once when the call's signal is already aborted.
   */
  protected start(metadata: Metadata, request: unknown, streaming: boolean): void {
    const telemetry = this.#telemetry;
    this.transport.start(telemetry === undefined ? metadata : attemptStart(telemetry, metadata), this);
    if (streaming) this.#startStreaming(request as RequestIterable<TRequest> | null | undefined);
    else this.#sendUnaryRequest(request as TRequest);
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

  /** @internal The end of the call, for the interceptor chain above it (see `CALL_END`). */
  [CALL_END](listener: EndListener): void {
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
      if (this.#writer !== undefined && this.transport.whenStarted !== undefined) {
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
    this.#error = statusError(this.#status!, this.#initialMetadata, this.#locallyCancelled);
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
    if (this.#telemetry !== undefined) recordMessage(this.#telemetry, false, bytes.byteLength);
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
      attemptEnd(this.#telemetry, this.#callTelemetry, status.code, status.details);
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
    this.#writer?.finish(status);
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
    if (this.#responseStyle === 'iterate') return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#responseStyle = 'read';
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
    if (this.#responseStyle === 'read') throw new UsageError(API_STYLES_MIXED);
    this.#responseStyle = 'iterate';
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
  #sendUnaryRequest(request: TRequest): void {
    const bytes = this.#serialize(request);
    if (bytes instanceof SerializationFailure) return;
    if (this.#telemetry !== undefined) recordMessage(this.#telemetry, true, bytes.byteLength);
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
    return this.#writer!.write(request);
  }

  /** `doneWriting()` of the reader/writer style. */
  protected doneWritingRequests(): Promise<void> {
    return this.#writer!.doneWriting();
  }

  /** Starts the response side of a request-streaming call, and its request side. */
  #startStreaming(requests: RequestIterable<TRequest> | null | undefined): void {
    this.#pull();
    this.#writer = new RequestWriter<TRequest>(
      {
        transport: this.transport,
        serialize: (request) => this.#serialize(request),
        sent: (bytes) => {
          if (this.#telemetry !== undefined) recordMessage(this.#telemetry, true, bytes);
        },
        status: () => this.#status,
        failure: () => this.#failure(),
        cancel: (cause) => this.cancelWith(LOCALLY_CANCELLED, cause),
      },
      requests,
    );
  }
}
