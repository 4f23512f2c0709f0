import { HALF_CLOSED, InvalidStateError, RPC_ALREADY_FINISHED } from '@grpc-aio/errors';

interface PendingWrite<T> {
  readonly value: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The request iterable of a write-style call: the caller's `write()`s and `doneWriting()` feed it,
 * the chain passes it down as the request iterator (as Python's aio does). A `write()` resolves once
 * the call below has taken the request, and rejects with InvalidStateError when the call is over.
 */
export class WriteQueue<T> implements AsyncIterable<T> {
  #writes: PendingWrite<T>[] = [];
  #reader: ((result: IteratorResult<T>) => void) | undefined;
  #halfClosed = false;
  #finished = false;

  write(value: T): Promise<void> {
    if (this.#finished) return Promise.reject(new InvalidStateError(RPC_ALREADY_FINISHED));
    if (this.#halfClosed) return Promise.reject(new InvalidStateError(HALF_CLOSED));
    return new Promise<void>((resolve, reject) => {
      this.#writes.push({ value, resolve, reject });
      this.#pump();
    });
  }

  /** Ends the request stream after the writes already made. Idempotent. */
  doneWriting(): void {
    if (this.#halfClosed) return;
    this.#halfClosed = true;
    this.#pump();
  }

  /** The call is over: pending and later writes fail, the iterable ends. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const writes = this.#writes;
    this.#writes = [];
    for (const write of writes) write.reject(new InvalidStateError(RPC_ALREADY_FINISHED));
    this.#pump();
  }

  #take(): IteratorResult<T> | undefined {
    const write = this.#writes.shift();
    if (write !== undefined) {
      write.resolve();
      return { done: false, value: write.value };
    }
    if (this.#halfClosed || this.#finished) return { done: true, value: undefined };
    return undefined;
  }

  #pump(): void {
    if (this.#reader === undefined) return;
    const result = this.#take();
    if (result === undefined) return;
    const reader = this.#reader;
    this.#reader = undefined;
    reader(result);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const result = this.#take();
        if (result !== undefined) return Promise.resolve(result);
        return new Promise((resolve) => {
          this.#reader = resolve;
        });
      },
      return: async () => {
        // The call below stopped taking requests: it is over.
        this.finish();
        return { done: true, value: undefined };
      },
    };
  }
}
