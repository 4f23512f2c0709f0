import type { Call } from '@grpc-aio/core';
import { EOF, StatusCode } from '@grpc-aio/core';
import { CALL_END } from '@grpc-aio/core/internal';
import { AioRpcError, InvalidStateError, RPC_ALREADY_FINISHED } from '@grpc-aio/errors';
import { type EndListener, runDoneCallbacks } from '@grpc-aio/errors/internal';
import { Metadata } from '@grpc-aio/metadata';
import { type CallError, type Deadline, errorCode, errorDetails, secondsLeft } from './call-utils.js';

/** The outcome of a call: a response, or the error awaiting it rejects with. */
type Outcome<TResponse = unknown> =
  | { readonly ok: true; readonly value: TResponse }
  | { readonly ok: false; readonly error: CallError };

/**
 * A call that is already over, made by the chain itself: the call an interceptor's plain response
 * becomes (code OK, empty metadata, like Python's `UnaryUnaryCallResponse`), or the call an
 * interceptor's error (or a cancel before the chain finished) becomes. It serves every call kind:
 * awaiting gives the response or the error, reading gives EOF or the error.
 */
export class SettledCall<TResponse = unknown> implements Call, PromiseLike<TResponse> {
  readonly #outcome: Outcome<TResponse>;
  readonly #promise: Promise<TResponse>;
  readonly #deadline: Deadline | undefined;

  /** `deadline`: the deadline of the details the interceptor that answered was called with. */
  constructor(outcome: Outcome<TResponse>, deadline?: Deadline) {
    this.#outcome = outcome;
    this.#deadline = deadline;
    if (outcome.ok) {
      this.#promise = Promise.resolve(outcome.value);
    } else {
      this.#promise = Promise.reject(outcome.error);
      // Nobody may ever await this call: that must not be an unhandled rejection.
      this.#promise.catch(() => {});
    }
  }

  /** The outcome this call was made with. */
  get outcome(): Outcome<TResponse> {
    return this.#outcome;
  }

  // biome-ignore lint/suspicious/noThenProperty: a unary call is awaitable by contract
  then<TResult1 = TResponse, TResult2 = never>(
    onfulfilled?: ((value: TResponse) => TResult1 | PromiseLike<TResult1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#promise.then(onfulfilled, onrejected);
  }

  cancelled(): boolean {
    return !this.#outcome.ok && this.#codeOf() === StatusCode.CANCELLED;
  }
  done(): boolean {
    return true;
  }
  timeRemaining(): number | undefined {
    return secondsLeft(this.#deadline);
  }
  cancel(): boolean {
    return false;
  }
  addDoneCallback(callback: (context: this) => void): void {
    runDoneCallbacks([callback], this, '');
  }

  async initialMetadata(): Promise<Metadata> {
    const error = this.#outcome.ok ? undefined : this.#outcome.error;
    return error instanceof AioRpcError ? error.initialMetadata() : new Metadata();
  }
  async trailingMetadata(): Promise<Metadata> {
    const error = this.#outcome.ok ? undefined : this.#outcome.error;
    return error instanceof AioRpcError ? error.trailingMetadata() : new Metadata();
  }
  #codeOf(): StatusCode {
    return this.#outcome.ok ? StatusCode.OK : errorCode(this.#outcome.error);
  }

  #detailsOf(): string {
    return this.#outcome.ok ? '' : errorDetails(this.#outcome.error);
  }

  async code(): Promise<StatusCode> {
    return this.#codeOf();
  }
  async details(): Promise<string> {
    return this.#detailsOf();
  }

  /** @internal A settled call has ended: `listener` runs at once (see `CALL_END`). */
  [CALL_END](listener: EndListener): void {
    listener(this.#codeOf(), this.#detailsOf());
  }
  async debugErrorString(): Promise<string> {
    const error = this.#outcome.ok ? undefined : this.#outcome.error;
    return error instanceof AioRpcError ? (error.debugErrorString() ?? '') : '';
  }
  async waitForConnection(): Promise<void> {
    if (!this.#outcome.ok) throw this.#outcome.error;
  }

  // The streaming faces: a settled call has no (more) responses.
  async read(): Promise<EOF> {
    if (!this.#outcome.ok) throw this.#outcome.error;
    return EOF;
  }
  [Symbol.asyncIterator](): AsyncIterator<never> {
    const outcome = this.#outcome;
    return {
      next: async () => {
        if (!outcome.ok) throw outcome.error;
        return { done: true, value: undefined };
      },
    };
  }
  async write(): Promise<void> {
    throw new InvalidStateError(RPC_ALREADY_FINISHED);
  }
  async doneWriting(): Promise<void> {}
}
