import { EOF } from '@grpc-aio/core';
import type { ServerCallTransport } from './server-call-transport.js';

// The requests of a request-streaming RPC, as the handler reads them: through `context.read()` (a
// request or EOF) and through the requests' async iterator (IteratorResults), mixed as the handler
// likes, as in Python's grpc.aio, where the iterator is itself a loop over `read()`. Every reader
// takes the next request in the order it asked. One transport read per waiting reader; each request
// is decoded when it arrives and handed over at once.

interface Reader {
  readonly iterator: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<unknown> = Object.freeze({ done: true, value: undefined });

/** The request stream of one RPC. */
export class RequestStream {
  readonly #call: ServerCallTransport;
  readonly #decode: (message: Buffer) => unknown;
  #readers: Reader[] = [];
  #ended = false;
  #failure: Error | undefined;

  /** @param decode the request of a message; it throws (after ending the RPC) when it cannot. */
  constructor(call: ServerCallTransport, decode: (message: Buffer) => unknown) {
    this.#call = call;
    this.#decode = decode;
  }

  /** A request arrived, answering a read. */
  message(message: Buffer): void {
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      let value: unknown;
      try {
        value = this.#decode(message);
      } catch (error) {
        reader.reject(error);
        return;
      }
      reader.resolve(reader.iterator ? { done: false, value } : value);
    }
    if (this.#readers.length > 0) this.#call.startRead();
  }

  /** The client half-closed: every pending and later read gets EOF. */
  end(): void {
    this.#ended = true;
    const readers = this.#readers;
    this.#readers = [];
    for (const reader of readers) reader.resolve(reader.iterator ? DONE : EOF);
  }

  /** The RPC ended: every pending and later read rejects with `reason`. */
  fail(reason: Error): void {
    this.#failure ??= reason;
    const readers = this.#readers;
    this.#readers = [];
    for (const reader of readers) reader.reject(reason);
  }

  /** The next request (or EOF); for `context.read()`. */
  read(): Promise<unknown> {
    return this.#pull(false);
  }

  #pull(iterator: boolean): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(iterator ? DONE : EOF);
    return new Promise((resolve, reject) => {
      this.#readers.push({ resolve, reject, iterator });
      if (this.#readers.length === 1) this.#call.startRead();
    });
  }

  /**
   * The requests as the handler's async iterable. Each iteration (each `for await`) gets its own
   * iterator over the requests not taken yet; leaving a loop early (`break`) leaves the others for
   * `read()` and for a later loop, as Python's `async for` does.
   */
  iterable(): AsyncIterable<unknown> {
    return {
      [Symbol.asyncIterator]: () => {
        let closed = false;
        return {
          next: (): Promise<IteratorResult<unknown>> =>
            closed ? Promise.resolve(DONE) : (this.#pull(true) as Promise<IteratorResult<unknown>>),
          return: async (): Promise<IteratorResult<unknown>> => {
            closed = true;
            return DONE;
          },
        };
      },
    };
  }
}
