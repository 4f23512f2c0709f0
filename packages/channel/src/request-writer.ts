import { StatusCode } from '@grpc-aio/core';
import { type Deferred, deferred } from '@grpc-aio/core/internal';
import {
  API_STYLES_MIXED,
  HALF_CLOSED,
  InvalidStateError,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { SerializationFailure } from './call-status.js';
import type { CallTransport, TransportStatus } from './transport.js';

/** What a {@link RequestWriter} asks of its call. */
export interface WriterHost<TRequest> {
  readonly transport: CallTransport;
  /** The request's bytes; when the serializer throws, the call ends INTERNAL. */
  serialize(request: TRequest): Uint8Array | SerializationFailure;
  /** A request of `bytes` bytes goes to the transport (telemetry). */
  sent(bytes: number): void;
  /** The call's status, once it has ended. */
  status(): TransportStatus | undefined;
  /** The error the call failed with (after a non-OK status). */
  failure(): Error;
  /** The request iterable threw `cause`: the call is cancelled. */
  cancel(cause: unknown): void;
}

/**
 * The request side of a stream-request call: `write()`/`doneWriting()`, or a request iterable it
 * consumes; never both (UsageError). The transport takes one message at a time (grpc-js's call
 * keeps a single pending slot): writes made while one is in flight wait in order, and a half-close
 * waits for them. A `write()` resolves once the transport took the message, and settles with the
 * call when it ends first (resolved after OK, else rejected with the call's error).
 */
export class RequestWriter<TRequest> {
  readonly #call: WriterHost<TRequest>;
  #style: 'iterable' | 'writes' | undefined;
  #halfClosed = false;
  #halfClosePending = false;
  #pendingWrites: Deferred<void>[] | undefined;
  #sending = false;
  #sendQueue: { bytes: Uint8Array; request: TRequest; waiter: Deferred<void> }[] | undefined;

  constructor(
    call: WriterHost<TRequest>,
    requests: AsyncIterable<TRequest> | Iterable<TRequest> | null | undefined,
  ) {
    this.#call = call;
    if (requests == null) return;
    this.#style = 'iterable';
    void this.#consume(requests);
  }

  /** `write()` of the reader/writer style. */
  write(request: TRequest): Promise<void> {
    if (this.#style === 'iterable') return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#style = 'writes';
    return this.#write(request);
  }

  /** `doneWriting()` of the reader/writer style. */
  doneWriting(): Promise<void> {
    if (this.#style === 'iterable') return Promise.reject(new UsageError(API_STYLES_MIXED));
    this.#style = 'writes';
    this.#halfClose();
    return Promise.resolve();
  }

  /** The call has ended: writes still pending settle with it, queued ones are dropped. */
  finish(status: TransportStatus): void {
    this.#sendQueue = undefined;
    const writes = this.#pendingWrites;
    if (writes === undefined || writes.length === 0) return;
    this.#pendingWrites = undefined;
    for (const write of writes) {
      if (status.code === StatusCode.OK) write.resolve();
      else write.reject(this.#call.failure());
    }
  }

  #write(request: TRequest): Promise<void> {
    const call = this.#call;
    if (call.status() !== undefined) return Promise.reject(new InvalidStateError(RPC_ALREADY_FINISHED));
    if (this.#halfClosed) return Promise.reject(new InvalidStateError(HALF_CLOSED));
    const bytes = call.serialize(request);
    if (bytes instanceof SerializationFailure) return Promise.reject(bytes.error);
    const waiter = deferred<void>();
    (this.#pendingWrites ??= []).push(waiter);
    if (this.#sending) (this.#sendQueue ??= []).push({ bytes, request, waiter });
    else this.#send(bytes, request, waiter);
    return waiter.promise;
  }

  #send(bytes: Uint8Array, request: TRequest, waiter: Deferred<void>): void {
    const call = this.#call;
    this.#sending = true;
    call.sent(bytes.byteLength);
    call.transport.sendMessage(
      bytes,
      (error) => {
        this.#sending = false;
        const pending = this.#pendingWrites;
        const status = call.status();
        // Writes go out in the order they were made, so the one completing is the oldest pending
        // (no search: un-awaited bulk writes would make that quadratic). Not pending any more: the
        // status arrived first and settled it.
        if (pending !== undefined && pending[0] === waiter) {
          pending.shift();
          if (error == null) waiter.resolve();
          else if (status === undefined) waiter.reject(error);
          else if (status.code === StatusCode.OK) waiter.resolve();
          else waiter.reject(call.failure());
        }
        if (status !== undefined) return;
        const next = this.#sendQueue?.shift();
        if (next !== undefined) this.#send(next.bytes, next.request, next.waiter);
        else if (this.#halfClosePending) {
          this.#halfClosePending = false;
          call.transport.halfClose();
        }
      },
      request,
    );
  }

  #halfClose(): void {
    if (this.#halfClosed || this.#call.status() !== undefined) return;
    this.#halfClosed = true;
    // Writes still waiting for the transport go first.
    if (this.#sending) this.#halfClosePending = true;
    else this.#call.transport.halfClose();
  }

  async #consume(requests: AsyncIterable<TRequest> | Iterable<TRequest>): Promise<void> {
    try {
      for await (const request of requests) {
        if (this.#call.status() !== undefined) return;
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
      this.#call.cancel(error);
    }
  }
}
