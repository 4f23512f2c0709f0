// A minimal fake ServicerContext, for calling handlers and server interceptors directly.
import { EOF, type ServicerContext, type StatusCode } from '@grpc-aio/core';
import { AbortError, LOCALLY_ABORTED } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';

/** Plays the server around a handler: gives it scripted requests, keeps what it writes and sets. */
export class FakeContext {
  /** What the handler wrote. */
  readonly written: unknown[] = [];
  /** Each `abort()`: the code and the details as passed. */
  readonly aborted: [StatusCode, string?][] = [];
  readonly #requests: unknown[];
  #code: StatusCode | undefined;
  #details: string | undefined;
  #done = false;
  readonly signal: AbortSignal = new AbortController().signal;

  constructor(requests: unknown[] = []) {
    this.#requests = [...requests];
  }
  /** The request stream a server would pass to a request-streaming behaviour. */
  // biome-ignore lint/suspicious/noExplicitAny: the request stream of any behaviour under test
  requests(): AsyncIterable<any> {
    const self = this;
    return (async function* () {
      while (self.#requests.length > 0) yield self.#requests.shift();
    })();
  }
  async read(): Promise<unknown> {
    return this.#requests.length > 0 ? this.#requests.shift() : EOF;
  }
  async write(message: unknown): Promise<void> {
    this.written.push(message);
  }
  async abort(code: StatusCode, details?: string): Promise<never> {
    this.aborted.push([code, details]);
    this.#code = code;
    this.#details = details ?? '';
    throw new AbortError(LOCALLY_ABORTED);
  }
  setCode(code: StatusCode): void {
    this.#code = code;
  }
  setDetails(details: string): void {
    this.#details = details;
  }
  code(): StatusCode | undefined {
    return this.#code;
  }
  details(): string | undefined {
    return this.#details;
  }
  done(): boolean {
    return this.#done;
  }
  finish(): void {
    this.#done = true;
  }
  invocationMetadata(): Metadata {
    return new Metadata();
  }
  // biome-ignore lint/suspicious/noExplicitAny: the fake stands in for the context of any handler under test
  asContext(): ServicerContext<any, any> {
    return this as unknown as ServicerContext;
  }
}
