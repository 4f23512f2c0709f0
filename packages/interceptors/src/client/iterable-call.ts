import type { Call } from '@grpc-aio/core';
import { EOF, StatusCode } from '@grpc-aio/core';
import { CALL_END } from '@grpc-aio/core/internal';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import { type EndListener, runDoneCallbacks } from '@grpc-aio/errors/internal';
import { Metadata } from '@grpc-aio/metadata';
import {
  type CallError,
  type Deadline,
  errorCode,
  errorDetails,
  onCallEnd,
  secondsLeft,
  toCallError,
} from './call-utils.js';

type Ending = { readonly ok: true } | { readonly ok: false; readonly error: CallError };

async function* fromIterable<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* source;
}

/**
 * The call a streaming interceptor's iterable becomes (Python's `UnaryStreamCallResponseIterator`):
 * reads come from the iterable; code, details, metadata, cancel and done callbacks are those of the
 * `base` call (the last call the interceptor's continuation made), as in Python. Without a base
 * call it reports code OK and empty metadata once the iterable is exhausted, and the iterable's
 * error otherwise (an `AioRpcError` as is, anything else as UNKNOWN).
 */
export class IterableCall<TResponse = unknown> implements Call {
  readonly #source: AsyncIterable<TResponse> | Iterable<TResponse>;
  readonly #base: Call | undefined;
  readonly #deadline: Deadline | undefined;
  #iterator: AsyncIterator<TResponse> | undefined;
  #ending: Ending | undefined;
  readonly #ended: Promise<Ending>;
  #resolveEnded!: (ending: Ending) => void;
  #doneCallbacks: ((call: this) => void)[] = [];
  #endListeners: EndListener[] = [];

  /** `deadline` (without a base call): that of the details the interceptor was called with. */
  constructor(
    source: AsyncIterable<TResponse> | Iterable<TResponse>,
    base: Call | undefined,
    deadline?: Deadline,
  ) {
    this.#source = source;
    this.#base = base;
    this.#deadline = deadline;
    this.#ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  #getIterator(): AsyncIterator<TResponse> {
    this.#iterator ??= fromIterable(this.#source);
    return this.#iterator;
  }

  #end(ending: Ending): void {
    if (this.#ending !== undefined) return;
    this.#ending = ending;
    this.#resolveEnded(ending);
    const listeners = this.#endListeners;
    this.#endListeners = [];
    for (const listener of listeners) this.#tellEnd(listener, ending);
    const callbacks = this.#doneCallbacks;
    this.#doneCallbacks = [];
    runDoneCallbacks(callbacks, this, '');
  }

  #stopSource(): void {
    const iterator = this.#iterator;
    if (iterator?.return === undefined) return;
    // Stopping a source that is busy may reject; nobody waits for it.
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => {});
  }

  async read(): Promise<TResponse | EOF> {
    if (this.#ending !== undefined) {
      if (!this.#ending.ok) throw this.#ending.error;
      return EOF;
    }
    try {
      const result = await this.#getIterator().next();
      if (result.done) {
        this.#end({ ok: true });
        return EOF;
      }
      // A cancel while this read was pending wins.
      const ending = this.#ending as Ending | undefined;
      if (ending !== undefined && !ending.ok) throw ending.error;
      return result.value;
    } catch (error) {
      const callError = toCallError(error);
      this.#end({ ok: false, error: callError });
      throw callError;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TResponse> {
    try {
      for (;;) {
        const response = await this.read();
        if (response === EOF) return;
        yield response;
      }
    } finally {
      // Leaving the loop early (break, return, a throw in its body) cancels the call, as it does
      // on the channel's calls.
      if (!this.done()) this.cancel();
    }
  }

  cancelled(): boolean {
    if (this.#base !== undefined) return this.#base.cancelled();
    return this.#ending !== undefined && !this.#ending.ok && this.#ending.error instanceof CancelledError;
  }
  done(): boolean {
    return this.#base !== undefined ? this.#base.done() : this.#ending !== undefined;
  }
  timeRemaining(): number | undefined {
    return this.#base !== undefined ? this.#base.timeRemaining() : secondsLeft(this.#deadline);
  }
  cancel(): boolean {
    if (this.#base !== undefined) {
      const cancelled = this.#base.cancel();
      if (cancelled) {
        // Reads now reject with CancelledError (A20); the status stays the base call's.
        this.#end({ ok: false, error: new CancelledError() });
        this.#stopSource();
      }
      return cancelled;
    }
    if (this.#ending !== undefined) return false;
    this.#end({ ok: false, error: new CancelledError() });
    this.#stopSource();
    return true;
  }
  /** @internal The end of the call (see `CALL_END`): the base call's, else the iterable's. */
  [CALL_END](listener: EndListener): void {
    if (this.#base !== undefined) onCallEnd(this.#base, listener);
    else if (this.#ending !== undefined) this.#tellEnd(listener, this.#ending);
    else this.#endListeners.push(listener);
  }

  #tellEnd(listener: EndListener, ending: Ending): void {
    if (ending.ok) listener(StatusCode.OK, '');
    else listener(errorCode(ending.error), errorDetails(ending.error));
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (this.#base !== undefined) {
      this.#base.addDoneCallback(() => callback(this));
    } else if (this.#ending !== undefined) {
      runDoneCallbacks([callback], this, '');
    } else {
      this.#doneCallbacks.push(callback);
    }
  }

  async initialMetadata(): Promise<Metadata> {
    return this.#base !== undefined ? this.#base.initialMetadata() : new Metadata();
  }
  async trailingMetadata(): Promise<Metadata> {
    if (this.#base !== undefined) return this.#base.trailingMetadata();
    const ending = await this.#ended;
    return !ending.ok && ending.error instanceof AioRpcError
      ? ending.error.trailingMetadata()
      : new Metadata();
  }
  async code(): Promise<StatusCode> {
    if (this.#base !== undefined) return this.#base.code();
    const ending = await this.#ended;
    if (ending.ok) return StatusCode.OK;
    return errorCode(ending.error);
  }
  async details(): Promise<string> {
    if (this.#base !== undefined) return this.#base.details();
    const ending = await this.#ended;
    if (ending.ok) return '';
    return errorDetails(ending.error);
  }
  async debugErrorString(): Promise<string> {
    if (this.#base !== undefined) return this.#base.debugErrorString();
    const ending = await this.#ended;
    return !ending.ok && ending.error instanceof AioRpcError ? (ending.error.debugErrorString() ?? '') : '';
  }
  async waitForConnection(): Promise<void> {
    if (this.#base !== undefined) return this.#base.waitForConnection();
  }
}
