import {
  type Call,
  type ClientCallTelemetry,
  type EOF,
  StatusCode,
  type StreamStreamCall,
  type StreamUnaryCall,
  type UnaryStreamCall,
  type UnaryUnaryCall,
} from '@grpc-aio/core';
import { CALL_END } from '@grpc-aio/core/internal';
import { AioRpcError, API_STYLES_MIXED, CancelledError, UsageError } from '@grpc-aio/errors';
import { type EndListener, runDoneCallbacks, terminatedRepr } from '@grpc-aio/errors/internal';
import type { Metadata } from '@grpc-aio/metadata';
import { isCallLike, onCallEnd, secondsLeft } from './call-utils.js';
import type { ClientCallDetails } from './client-call-details.js';
import { type InterceptorChain, isStreamRequest, Level, type PendingLevel } from './level.js';
import { SettledCall } from './settled-call.js';
import { WriteQueue } from './write-queue.js';

/**
 * The call the caller holds while an interceptor chain runs (Python's `aio.InterceptedCall`): one
 * per application call, plus one per level whose interceptor answers asynchronously or whose caller
 * writes the requests; the other levels hand up the call their interceptor returned. Until the
 * interceptor has answered, the object stands in for the final call: `cancel()` cancels the chain
 * (the calls the continuation made so far, and `continuation.signal`), done callbacks wait for the
 * final call, and `timeRemaining()` counts from the timeout the call started with. Afterwards
 * every method proxies to the final call: the call the interceptor returned, or the call its
 * plain response, iterable or error became.
 *
 * Not constructed by applications: `interceptChannel` makes them.
 */
export abstract class InterceptedCall implements Call {
  readonly #level: Level;
  readonly #method: string;
  #final: Call | undefined;
  #finalPromise: Promise<{ readonly call: Call }> | undefined;
  #resolveFinal: ((final: { readonly call: Call }) => void) | undefined;
  #outcome: Promise<unknown> | undefined;
  // Done callbacks wait here, and run as one list (stopping at the first that throws, as Python's
  // do) when the final call is done; #callbacksRan once they have.
  // biome-ignore lint/suspicious/noExplicitAny: each callback takes the call as its own class (`this`), which would make the class invariant
  #doneCallbacks: ((call: any) => void)[] | undefined;
  #callbacksRan = false;
  // Told the final call's end (CALL_END), ahead of and apart from the done callbacks.
  #endListeners: EndListener[] | undefined;
  #writer: WriteQueue<unknown> | undefined;
  #readStyle: 'read' | 'iterate' | undefined;
  #responses: AsyncGenerator<unknown> | undefined;

  /** @internal Made by `interceptChannel`. */
  constructor(
    chain: InterceptorChain,
    index: number,
    details: ClientCallDetails,
    requestOrIterator: unknown,
    signal?: AbortSignal,
    telemetry?: ClientCallTelemetry,
    ran?: PendingLevel,
  ) {
    this.#method = details.method;
    if (ran !== undefined) {
      const { level, pending } = ran;
      this.#level = level;
      this.#await(pending);
      return;
    }
    this.#level = new Level(chain, index, details.timeout, telemetry);
    let request = requestOrIterator;
    if (isStreamRequest(chain.kind) && request == null) {
      const writer = new WriteQueue<unknown>();
      this.#writer = writer;
      request = writer;
      this.addDoneCallback(() => writer.finish());
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        this.cancel();
        return;
      }
      const onAbort = () => this.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      this.addDoneCallback(() => signal.removeEventListener('abort', onAbort));
    }
    const result = this.#level.run(details, request);
    if (isCallLike(result)) this.#setFinal(result);
    else this.#await(result);
  }

  #await(pending: PromiseLike<unknown>): void {
    const level = this.#level;
    void Promise.resolve(pending).then(
      (value) => this.#setFinal(level.callFor(value)),
      (error: unknown) => this.#setFinal(level.callForError(error)),
    );
  }

  #setFinal(call: Call): void {
    if (this.#final !== undefined) return;
    this.#final = call;
    this.#resolveFinal?.({ call });
    this.#resolveFinal = undefined;
    const listeners = this.#endListeners;
    this.#endListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) onCallEnd(call, listener);
    if (this.#doneCallbacks !== undefined) this.#hookCallbacks(call);
  }

  #hookCallbacks(call: Call): void {
    call.addDoneCallback(() => {
      this.#callbacksRan = true;
      const callbacks = this.#doneCallbacks ?? [];
      this.#doneCallbacks = undefined;
      runDoneCallbacks(callbacks, this, this.#method);
    });
  }

  /** The response of the final call, for a `then` before the interceptor has answered. */
  #pendingOutcome(): Promise<unknown> {
    // A promise adopts the final call (a thenable): this is its response, or its error.
    this.#outcome ??= this.#whenFinal().then(({ call }) => call as UnaryUnaryCall);
    return this.#outcome;
  }

  /** The final call, once the interceptor has answered. */
  #whenFinal(): Promise<{ readonly call: Call }> {
    const final = this.#final;
    if (final !== undefined) return Promise.resolve({ call: final });
    this.#finalPromise ??= new Promise((resolve) => {
      this.#resolveFinal = resolve;
    });
    return this.#finalPromise;
  }

  cancelled(): boolean {
    return this.#final?.cancelled() ?? false;
  }

  /**
   * Python's string form, as the channel's calls have it: `<InterceptedUnaryUnaryCall object>`
   * until the call is done, then the status block of the call the chain ended with.
   */
  toString(): string {
    const name = this.constructor.name;
    const final = this.#final;
    if (final === undefined || !final.done()) return `<${name} object>`;
    if (final instanceof SettledCall) {
      const outcome = final.outcome;
      if (outcome.ok) return terminatedRepr(name, StatusCode.OK, '', '');
      const error = outcome.error;
      if (error instanceof AioRpcError)
        return terminatedRepr(name, error.code(), error.details(), error.debugErrorString());
      // A CancelledError (the call was cancelled before the chain finished), or an interceptor's own
      // error, which awaiting the call gives as is.
      return terminatedRepr(
        name,
        error instanceof CancelledError ? StatusCode.CANCELLED : StatusCode.UNKNOWN,
        error.message,
        undefined,
      );
    }
    const text = String(final);
    return text.startsWith('<') ? `<${name}${text.slice(text.search(/[ >]/))}` : `<${name} object>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  done(): boolean {
    return this.#final?.done() ?? false;
  }

  /**
   * Seconds left before the deadline (never negative), undefined without one. While the chain runs,
   * it is counted from the timeout this call started with; afterwards it is the final call's: the
   * RPC's (an interceptor may have changed the timeout), or, when an interceptor answered by
   * itself, counted from the timeout that interceptor was called with. Python documents this method
   * but raises NotImplementedError.
   */
  timeRemaining(): number | undefined {
    const final = this.#final;
    return final !== undefined ? final.timeRemaining() : secondsLeft(this.#level.deadline);
  }

  /**
   * Cancels the RPC. Before the chain has finished: cancels every call the continuation made so
   * far, aborts `continuation.signal`, and ends this call at once as CANCELLED (awaiting or reading
   * it rejects with `CancelledError`). Afterwards: cancels the final call and, when that cancelled
   * it, the other calls the continuation made (a hedge the interceptor did not return).
   * @returns true when this call performed the cancellation.
   */
  cancel(): boolean {
    const final = this.#final;
    if (final !== undefined) {
      const cancelled = final.cancel();
      if (cancelled) this.#level.abort();
      return cancelled;
    }
    this.#level.abort();
    this.#setFinal(new SettledCall({ ok: false, error: new CancelledError() }, this.#level.deadline));
    return true;
  }

  /** @internal The end of the final call (see `CALL_END`), whatever its done callbacks do. */
  [CALL_END](listener: EndListener): void {
    if (this.#final !== undefined) onCallEnd(this.#final, listener);
    else (this.#endListeners ??= []).push(listener);
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (this.#callbacksRan) {
      runDoneCallbacks([callback], this, this.#method);
      return;
    }
    // The final call is told once, when the first callback waits for it.
    const first = this.#doneCallbacks === undefined;
    (this.#doneCallbacks ??= []).push(callback);
    if (first && this.#final !== undefined) this.#hookCallbacks(this.#final);
  }

  // Never `return call` from an async function here: a unary call is a thenable, and a promise
  // would adopt it (giving its response). The final call travels wrapped in an object.

  async initialMetadata(): Promise<Metadata> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.initialMetadata();
  }
  async trailingMetadata(): Promise<Metadata> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.trailingMetadata();
  }
  async code(): Promise<StatusCode> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.code();
  }
  async details(): Promise<string> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.details();
  }
  async debugErrorString(): Promise<string> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.debugErrorString();
  }
  async waitForConnection(): Promise<void> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    return call.waitForConnection();
  }

  /** `await call` for the unary-response kinds: the response, or the call's error (cached). */
  protected thenResponse<TResponse, TResult1, TResult2>(
    onfulfilled?: ((value: TResponse) => TResult1 | PromiseLike<TResult1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    // Once a `then` went through the pending outcome, later ones do too: they settle in the order
    // they were made (an async level above matches its answer against the first).
    const final = this.#final as Partial<UnaryUnaryCall<unknown, TResponse>> | undefined;
    if (this.#outcome === undefined && typeof final?.then === 'function') {
      return final.then(onfulfilled, onrejected) as Promise<TResult1 | TResult2>;
    }
    return (this.#pendingOutcome() as Promise<TResponse>).then(onfulfilled, onrejected);
  }

  /** `read()` for the streaming-response kinds. */
  protected async readResponse(): Promise<unknown> {
    if (this.#readStyle === 'iterate') throw new UsageError(API_STYLES_MIXED);
    this.#readStyle = 'read';
    const call = this.#final ?? (await this.#whenFinal()).call;
    return (call as UnaryStreamCall).read();
  }

  /** `[Symbol.asyncIterator]()` for the streaming-response kinds. */
  protected iterateResponses(): AsyncGenerator<unknown> {
    if (this.#readStyle === 'read') throw new UsageError(API_STYLES_MIXED);
    this.#readStyle = 'iterate';
    this.#responses ??= this.#responseGenerator();
    return this.#responses;
  }

  async *#responseGenerator(): AsyncGenerator<unknown> {
    const call = this.#final ?? (await this.#whenFinal()).call;
    yield* call as UnaryStreamCall;
  }

  /** `write()` for the streaming-request kinds. */
  protected writeRequest(request: unknown): Promise<void> {
    if (this.#writer === undefined) return Promise.reject(new UsageError(API_STYLES_MIXED));
    return this.#writer.write(request);
  }

  /** `doneWriting()` for the streaming-request kinds. */
  protected async finishWriting(): Promise<void> {
    if (this.#writer === undefined) throw new UsageError(API_STYLES_MIXED);
    this.#writer.doneWriting();
  }
}

/** The unary-response kinds: `await call` gives the final call's response (or its error). */
abstract class InterceptedUnaryResponseCall<TResponse> extends InterceptedCall {
  // biome-ignore lint/suspicious/noThenProperty: a unary call is awaitable by contract
  then<TResult1 = TResponse, TResult2 = never>(
    onfulfilled?: ((value: TResponse) => TResult1 | PromiseLike<TResult1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.thenResponse(onfulfilled, onrejected);
  }

  /** Same as `Promise.prototype.catch` on the response (as on the channel's calls). */
  catch<TResult = never>(
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult | PromiseLike<TResult>) | null,
  ): Promise<TResponse | TResult> {
    return this.thenResponse(undefined, onrejected);
  }

  /** Same as `Promise.prototype.finally` on the response. */
  finally(onfinally?: (() => void) | null): Promise<TResponse> {
    return this.thenResponse<TResponse, TResponse, never>().finally(onfinally);
  }
}

/** The streaming-response kinds: `for await` or `read()` (EOF at the end), not both (UsageError). */
abstract class InterceptedStreamResponseCall<TResponse> extends InterceptedCall {
  read(): Promise<TResponse | EOF> {
    return this.readResponse() as Promise<TResponse | EOF>;
  }
  [Symbol.asyncIterator](): AsyncIterator<TResponse> {
    return this.iterateResponses() as AsyncIterator<TResponse>;
  }
}

/**
 * A unary-unary call running through interceptors (Python's `aio.InterceptedUnaryUnaryCall`).
 * `await call` gives the response of the final call.
 */
export class InterceptedUnaryUnaryCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedUnaryResponseCall<TResponse>
  implements UnaryUnaryCall<TRequest, TResponse> {}

/**
 * A unary-stream call running through interceptors: read it with `for await` or `read()` (EOF at
 * the end), not both (UsageError).
 */
export class InterceptedUnaryStreamCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedStreamResponseCall<TResponse>
  implements UnaryStreamCall<TRequest, TResponse> {}

/**
 * A stream-unary call running through interceptors. Made without a request iterable, it takes
 * `write()`/`doneWriting()`, which feed the request iterable passed down the chain.
 */
export class InterceptedStreamUnaryCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedUnaryResponseCall<TResponse>
  implements StreamUnaryCall<TRequest, TResponse>
{
  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }
  doneWriting(): Promise<void> {
    return this.finishWriting();
  }
}

/** A stream-stream call running through interceptors: write-style or iterable requests, reads as for unary-stream. */
export class InterceptedStreamStreamCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedStreamResponseCall<TResponse>
  implements StreamStreamCall<TRequest, TResponse>
{
  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }
  doneWriting(): Promise<void> {
    return this.finishWriting();
  }
}

const CALL_CLASSES = {
  unaryUnary: InterceptedUnaryUnaryCall,
  unaryStream: InterceptedUnaryStreamCall,
  streamUnary: InterceptedStreamUnaryCall,
  streamStream: InterceptedStreamStreamCall,
} as const;

/**
 * Makes the intercepted call of `chain.kind` for interceptor level `index`: it runs that level, or
 * (`ran`) waits for the promise the level's interceptor already answered with.
 */
export function createInterceptedCall(
  chain: InterceptorChain,
  index: number,
  details: ClientCallDetails,
  requestOrIterator: unknown,
  signal?: AbortSignal,
  telemetry?: ClientCallTelemetry,
  ran?: PendingLevel,
): InterceptedCall {
  return new CALL_CLASSES[chain.kind](chain, index, details, requestOrIterator, signal, telemetry, ran);
}
