import {
  type Call,
  type ClientCallTelemetry,
  type Clock,
  type EOF,
  type RequestIterable,
  StatusCode,
  type StreamStreamCall,
  type StreamUnaryCall,
  type UnaryStreamCall,
  type UnaryUnaryCall,
} from '@grpc-aio/core';
import { CALL_END } from '@grpc-aio/core/internal';
import { AioRpcError, API_STYLES_MIXED, CancelledError, UsageError } from '@grpc-aio/errors';
import { runDoneCallbacks, terminatedRepr } from '@grpc-aio/errors/internal';
import type { Metadata } from '@grpc-aio/metadata';
import {
  type EndListener,
  isCallLike,
  isPromiseLike,
  isResponseIterable,
  isSynthetic,
  onCallEnd,
  toCallError,
} from './call-utils.js';
import { ClientCallDetails, type ClientCallDetailsInit } from './client-call-details.js';
import { type CallKind, type ClientInterceptor, INTERCEPT_METHOD } from './client-interceptor.js';
import { IterableCall } from './iterable-call.js';
import { STREAM_INTERCEPTOR_BAD_RESULT } from './messages.js';
import { SettledCall } from './settled-call.js';
import { WriteQueue } from './write-queue.js';

/**
 * What the calls of one multi-callable share: the kind, the interceptors that implement it, and the
 * end of the chain (the wrapped channel's multi-callable). Made by `interceptChannel`.
 */
export interface InterceptorChain {
  readonly kind: CallKind;
  readonly interceptors: readonly ClientInterceptor[];
  /** The wrapped channel's clock: deadlines, `timeRemaining()`, `continuation.clock`. */
  readonly clock: Clock;
  /**
   * Starts the RPC on the wrapped channel with these details, as an attempt of the call
   * `telemetry` records (when set).
   */
  terminal(
    details: ClientCallDetails,
    requestOrIterator: unknown,
    signal: AbortSignal,
    telemetry: ClientCallTelemetry | undefined,
  ): Call;
}

interface ProducedCall {
  readonly call: Call;
  /** How awaiting the call settled: its (cached) response or error object. */
  settled?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
}

const isUnaryResponse = (kind: CallKind): boolean => kind === 'unaryUnary' || kind === 'streamUnary';
const isStreamRequest = (kind: CallKind): boolean => kind === 'streamUnary' || kind === 'streamStream';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * The call the caller holds while an interceptor chain runs (Python's `aio.InterceptedCall`), one
 * per interceptor level: `continuation()` returns the call of the next level. Until the
 * interceptor has returned, the object stands in for the final call: `cancel()` cancels the chain
 * (the calls the continuation made so far, and `continuation.signal`), done callbacks wait for the
 * final call, and `timeRemaining()` counts from the timeout the call started with. Afterwards
 * every method proxies to the final call: the call the interceptor returned, or the call its
 * plain response, iterable or error became.
 *
 * Not constructed by applications: `interceptChannel` makes them.
 */
export abstract class InterceptedCall implements Call {
  readonly #chain: InterceptorChain;
  readonly #index: number;
  readonly #deadline: number | undefined;
  readonly #controller = new AbortController();
  readonly #produced: ProducedCall[] = [];
  readonly #finalPromise: Promise<{ readonly call: Call }>;
  #resolveFinal!: (final: { readonly call: Call }) => void;
  #final: Call | undefined;
  // Done callbacks wait here, and run as one list (stopping at the first that throws, as Python's
  // do) when the final call is done; #callbacksRan once they have.
  // biome-ignore lint/suspicious/noExplicitAny: each callback takes the call as its own class (`this`), which would make the class invariant
  #doneCallbacks: ((call: any) => void)[] = [];
  #callbacksRan = false;
  // Told the final call's end (CALL_END), ahead of and apart from the done callbacks.
  #endListeners: EndListener[] | undefined;
  readonly #method: string;
  readonly #telemetry: ClientCallTelemetry | undefined;
  readonly #outcome: Promise<unknown> | undefined;
  readonly #writer: WriteQueue<unknown> | undefined;
  #readStyle: 'read' | 'iterate' | undefined;
  #responses: AsyncGenerator<unknown> | undefined;

  /** @internal Made by `interceptChannel`, one per interceptor level. */
  constructor(
    chain: InterceptorChain,
    index: number,
    details: ClientCallDetails,
    requestOrIterator: unknown,
    signal?: AbortSignal,
    telemetry?: ClientCallTelemetry,
  ) {
    this.#chain = chain;
    this.#index = index;
    this.#method = details.method;
    this.#telemetry = telemetry;
    this.#deadline = details.timeout === undefined ? undefined : chain.clock.now() + details.timeout * 1000;
    this.#finalPromise = new Promise((resolve) => {
      this.#resolveFinal = resolve;
    });
    if (isUnaryResponse(chain.kind)) {
      // A promise adopts the final call (a thenable): this is its response, or its error.
      this.#outcome = this.#finalPromise.then(({ call }) => call as UnaryUnaryCall);
      // Awaiting a failed call is optional: never an unhandled rejection.
      this.#outcome.catch(() => {});
    }
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
    this.#run(details, request);
  }

  #run(details: ClientCallDetails, request: unknown): void {
    const interceptor = this.#chain.interceptors[this.#index] as Record<string, Function>;
    const method = INTERCEPT_METHOD[this.#chain.kind];
    const continuation = Object.assign(
      (nextDetails: ClientCallDetails | ClientCallDetailsInit, nextRequest: unknown) =>
        this.#continue(nextDetails, nextRequest),
      { signal: this.#controller.signal, clock: this.#chain.clock },
    );
    let result: unknown;
    try {
      result = interceptor[method]!.call(interceptor, continuation, details, request);
    } catch (error) {
      this.#settleError(error);
      return;
    }
    if (isCallLike(result)) {
      this.#setFinal(result);
    } else if (isPromiseLike(result)) {
      void Promise.resolve(result).then(
        (value) => this.#settleValue(value),
        (error: unknown) => this.#settleError(error),
      );
    } else {
      this.#settleValue(result);
    }
  }

  #continue(details: ClientCallDetails | ClientCallDetailsInit, request: unknown): Call {
    const nextDetails = details instanceof ClientCallDetails ? details : new ClientCallDetails(details);
    // After a cancel the chain makes no new RPCs: late continuations get a cancelled call.
    if (this.#controller.signal.aborted) return new SettledCall({ ok: false, error: new CancelledError() });
    const chain = this.#chain;
    const next =
      this.#index + 1 < chain.interceptors.length
        ? createInterceptedCall(chain, this.#index + 1, nextDetails, request, undefined, this.#telemetry)
        : chain.terminal(nextDetails, request, this.#controller.signal, this.#telemetry);
    const produced: ProducedCall = { call: next };
    this.#produced.push(produced);
    if (isUnaryResponse(chain.kind)) {
      // Recorded before anything else can await the call: when an async interceptor's
      // `return call` flattens to this response (or error), #settleValue recognises it.
      void (next as UnaryUnaryCall).then(
        (value) => {
          produced.settled = { ok: true, value };
        },
        (error: unknown) => {
          produced.settled = { ok: false, error };
        },
      );
    }
    return next;
  }

  #settleValue(value: unknown): void {
    if (this.#final !== undefined) return;
    if (isCallLike(value)) {
      this.#setFinal(value);
    } else if (isUnaryResponse(this.#chain.kind)) {
      const match = this.#produced.findLast(
        (produced) => produced.settled?.ok && produced.settled.value === value,
      );
      this.#setFinal(match?.call ?? new SettledCall({ ok: true, value }));
    } else if (isResponseIterable(value)) {
      this.#setFinal(new IterableCall(value, this.#produced.at(-1)?.call));
    } else {
      const error = new TypeError(`${STREAM_INTERCEPTOR_BAD_RESULT}, got ${describe(value)}.`);
      this.#setFinal(new SettledCall({ ok: false, error: toCallError(error) }));
    }
  }

  #settleError(error: unknown): void {
    if (this.#final !== undefined) return;
    const match = this.#produced.findLast(
      (produced) =>
        produced.settled !== undefined && !produced.settled.ok && produced.settled.error === error,
    );
    this.#setFinal(match?.call ?? new SettledCall({ ok: false, error: toCallError(error) }));
  }

  #setFinal(call: Call): void {
    if (this.#final !== undefined) return;
    this.#final = call;
    this.#resolveFinal({ call });
    const listeners = this.#endListeners;
    this.#endListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) onCallEnd(call, listener);
    call.addDoneCallback(() => {
      this.#callbacksRan = true;
      const callbacks = this.#doneCallbacks;
      this.#doneCallbacks = [];
      runDoneCallbacks(callbacks, this, this.#method);
    });
  }

  /** The final call once the chain has finished, else undefined. */
  protected get finalCall(): Call | undefined {
    return this.#final;
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
   * and when an interceptor answered by itself, it is counted from the timeout this call started
   * with; once the chain has produced a real call, it is that call's (an interceptor may have
   * changed the timeout). Python documents this method but raises NotImplementedError.
   */
  timeRemaining(): number | undefined {
    const final = this.#final;
    if (final !== undefined && !isSynthetic(final)) return final.timeRemaining();
    if (this.#deadline === undefined) return undefined;
    return Math.max(0, (this.#deadline - this.#chain.clock.now()) / 1000);
  }

  /**
   * Cancels the RPC. Before the chain has finished: cancels every call the continuation made so
   * far, aborts `continuation.signal`, and ends this call at once as CANCELLED (awaiting or reading
   * it rejects with `CancelledError`). Afterwards: cancels the final call.
   * @returns true when this call performed the cancellation.
   */
  cancel(): boolean {
    const final = this.#final;
    if (final !== undefined) {
      const cancelled = final.cancel();
      if (cancelled) this.#controller.abort();
      return cancelled;
    }
    this.#controller.abort();
    for (const produced of this.#produced) produced.call.cancel();
    this.#setFinal(new SettledCall({ ok: false, error: new CancelledError() }));
    return true;
  }

  /** @internal The end of the final call (see `CALL_END`), whatever its done callbacks do. */
  [CALL_END](listener: EndListener): void {
    if (this.#final !== undefined) onCallEnd(this.#final, listener);
    else (this.#endListeners ??= []).push(listener);
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (this.#callbacksRan) runDoneCallbacks([callback], this, this.#method);
    else this.#doneCallbacks.push(callback);
  }

  // Never `return call` from an async function here: a unary call is a thenable, and a promise
  // would adopt it (giving its response). The final call travels wrapped in an object.

  async initialMetadata(): Promise<Metadata> {
    const { call } = await this.#finalPromise;
    return call.initialMetadata();
  }
  async trailingMetadata(): Promise<Metadata> {
    const { call } = await this.#finalPromise;
    return call.trailingMetadata();
  }
  async code(): Promise<StatusCode> {
    const { call } = await this.#finalPromise;
    return call.code();
  }
  async details(): Promise<string> {
    const { call } = await this.#finalPromise;
    return call.details();
  }
  async debugErrorString(): Promise<string> {
    const { call } = await this.#finalPromise;
    return call.debugErrorString();
  }
  async waitForConnection(): Promise<void> {
    const { call } = await this.#finalPromise;
    return call.waitForConnection();
  }

  /** `await call` for the unary-response kinds: the response, or the call's error (cached). */
  protected thenResponse<TResponse, TResult1, TResult2>(
    onfulfilled?: ((value: TResponse) => TResult1 | PromiseLike<TResult1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return (this.#outcome as Promise<TResponse>).then(onfulfilled, onrejected);
  }

  /** `finally()` for the unary-response kinds. */
  protected finallyResponse<TResponse>(onfinally?: (() => void) | null): Promise<TResponse> {
    return (this.#outcome as Promise<TResponse>).finally(onfinally);
  }

  /** `read()` for the streaming-response kinds. */
  protected async readResponse(): Promise<unknown> {
    if (this.#readStyle === 'iterate') throw new UsageError(API_STYLES_MIXED);
    this.#readStyle = 'read';
    const { call } = await this.#finalPromise;
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
    const { call } = await this.#finalPromise;
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

/**
 * A unary-unary call running through interceptors (Python's `aio.InterceptedUnaryUnaryCall`).
 * `await call` gives the response of the final call.
 */
export class InterceptedUnaryUnaryCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedCall
  implements UnaryUnaryCall<TRequest, TResponse>
{
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
    return this.finallyResponse(onfinally);
  }
}

/**
 * A unary-stream call running through interceptors: read it with `for await` or `read()` (EOF at
 * the end), not both (UsageError).
 */
export class InterceptedUnaryStreamCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedCall
  implements UnaryStreamCall<TRequest, TResponse>
{
  read(): Promise<TResponse | EOF> {
    return this.readResponse() as Promise<TResponse | EOF>;
  }
  [Symbol.asyncIterator](): AsyncIterator<TResponse> {
    return this.iterateResponses() as AsyncIterator<TResponse>;
  }
}

/**
 * A stream-unary call running through interceptors. Made without a request iterable, it takes
 * `write()`/`doneWriting()`, which feed the request iterable passed down the chain.
 */
export class InterceptedStreamUnaryCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedCall
  implements StreamUnaryCall<TRequest, TResponse>
{
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
    return this.finallyResponse(onfinally);
  }
  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }
  doneWriting(): Promise<void> {
    return this.finishWriting();
  }
}

/** A stream-stream call running through interceptors: write-style or iterable requests, reads as for unary-stream. */
export class InterceptedStreamStreamCall<TRequest = unknown, TResponse = unknown>
  extends InterceptedCall
  implements StreamStreamCall<TRequest, TResponse>
{
  read(): Promise<TResponse | EOF> {
    return this.readResponse() as Promise<TResponse | EOF>;
  }
  [Symbol.asyncIterator](): AsyncIterator<TResponse> {
    return this.iterateResponses() as AsyncIterator<TResponse>;
  }
  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }
  doneWriting(): Promise<void> {
    return this.finishWriting();
  }
}

/** Makes the intercepted call of `chain.kind` at interceptor level `index`. */
export function createInterceptedCall(
  chain: InterceptorChain,
  index: number,
  details: ClientCallDetails,
  requestOrIterator: unknown,
  signal?: AbortSignal,
  telemetry?: ClientCallTelemetry,
): InterceptedCall {
  switch (chain.kind) {
    case 'unaryUnary':
      return new InterceptedUnaryUnaryCall(chain, index, details, requestOrIterator, signal, telemetry);
    case 'unaryStream':
      return new InterceptedUnaryStreamCall(chain, index, details, requestOrIterator, signal, telemetry);
    case 'streamUnary':
      return new InterceptedStreamUnaryCall(
        chain,
        index,
        details,
        requestOrIterator as RequestIterable<unknown>,
        signal,
        telemetry,
      );
    case 'streamStream':
      return new InterceptedStreamStreamCall(chain, index, details, requestOrIterator, signal, telemetry);
  }
}
