// biome-ignore-all lint/suspicious/noExplicitAny: a fake Channel makes calls of every message type (the Channel contract is generic in them)
// Fakes of the core client contracts for the interceptor tests: a channel whose multi-callables
// record what reached the end of the chain and return scripted calls.
import {
  type CallOptions,
  type Channel,
  ChannelConnectivity,
  EOF,
  type RequestIterable,
  StatusCode,
} from '@grpc-aio/core';
import {
  AioRpcError,
  CancelledError,
  HALF_CLOSED,
  InvalidStateError,
  RPC_ALREADY_FINISHED,
} from '@grpc-aio/errors';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import type { CallKind } from '../src/client/client-interceptor.js';

export interface Script {
  response?: unknown;
  responses?: unknown[];
  code?: StatusCode;
  details?: string;
  initialMetadata?: MetadataLike;
  trailingMetadata?: MetadataLike;
  /** Ends only when finish() is called (or on cancel). */
  manual?: boolean;
}

type Ending = { ok: true } | { ok: false; error: AioRpcError | CancelledError };

export class FakeCall {
  readonly kind: CallKind;
  readonly method: string;
  readonly request: unknown;
  readonly options: CallOptions;
  readonly requests: unknown[] = [];
  readonly script: Script;
  readonly #deadline: number | undefined;
  #ending: Ending | undefined;
  #resolveEnded!: (ending: Ending) => void;
  readonly ended: Promise<Ending>;
  readonly #outcome: Promise<unknown>;
  #callbacks: ((call: this) => void)[] = [];
  #next = 0;
  #halfClosed = false;
  #resolveHalfClose!: () => void;
  readonly #halfClose = new Promise<void>((resolve) => {
    this.#resolveHalfClose = resolve;
  });

  constructor(kind: CallKind, method: string, request: unknown, options: CallOptions, script: Script) {
    this.kind = kind;
    this.method = method;
    this.request = request;
    this.options = options;
    this.script = script;
    this.#deadline = options.timeout === undefined ? undefined : performance.now() + options.timeout * 1000;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#outcome = this.ended.then((ending) => {
      if (!ending.ok) throw ending.error;
      return script.response;
    });
    this.#outcome.catch(() => {});
    // Only the unary-response calls are awaitable.
    if (kind === 'unaryStream' || kind === 'streamStream')
      Object.defineProperty(this, 'then', { value: undefined });
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (!script.manual) void this.#autoFinish();
  }

  get streamingRequest(): boolean {
    return this.kind === 'streamUnary' || this.kind === 'streamStream';
  }

  async #autoFinish(): Promise<void> {
    if (this.streamingRequest) {
      if (this.request == null) await this.#halfClose;
      else for await (const request of this.request as RequestIterable<unknown>) this.requests.push(request);
    }
    await Promise.resolve();
    this.finish();
  }

  /** Ends the call with the scripted status. */
  finish(): void {
    const code = this.script.code ?? StatusCode.OK;
    this.#end(
      code === StatusCode.OK
        ? { ok: true }
        : {
            ok: false,
            error: new AioRpcError(
              code,
              this.script.initialMetadata,
              this.script.trailingMetadata,
              this.script.details ?? '',
            ),
          },
    );
  }

  #end(ending: Ending): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#resolveEnded(ending);
    for (const callback of this.#callbacks) callback(this);
    this.#callbacks = [];
  }

  // biome-ignore lint/suspicious/noThenProperty: a unary call is awaitable
  then<A = unknown, B = never>(
    onfulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#outcome.then(onfulfilled, onrejected);
  }

  cancelled(): boolean {
    return this.#ending !== undefined && !this.#ending.ok && this.#ending.error instanceof CancelledError;
  }
  done(): boolean {
    return this.#ending !== undefined;
  }
  timeRemaining(): number | undefined {
    return this.#deadline === undefined
      ? undefined
      : Math.max(0, (this.#deadline - performance.now()) / 1000);
  }
  cancel(): boolean {
    if (this.#ending) return false;
    this.#end({ ok: false, error: new CancelledError() });
    return true;
  }
  addDoneCallback(callback: (call: this) => void): void {
    if (this.#ending) callback(this);
    else this.#callbacks.push(callback);
  }
  async initialMetadata(): Promise<Metadata> {
    return Metadata.from(this.script.initialMetadata);
  }
  async trailingMetadata(): Promise<Metadata> {
    await this.ended;
    return Metadata.from(this.script.trailingMetadata);
  }
  async code(): Promise<StatusCode> {
    const ending = await this.ended;
    if (ending.ok) return StatusCode.OK;
    return ending.error instanceof AioRpcError ? ending.error.code() : StatusCode.CANCELLED;
  }
  async details(): Promise<string> {
    const ending = await this.ended;
    if (ending.ok) return '';
    return ending.error instanceof AioRpcError
      ? (ending.error.details() ?? '')
      : 'Locally cancelled by application!';
  }
  async debugErrorString(): Promise<string> {
    return '';
  }
  async waitForConnection(): Promise<void> {}

  async read(): Promise<unknown> {
    const responses = this.script.responses ?? [];
    if (this.#ending !== undefined && !this.#ending.ok) throw this.#ending.error;
    if (this.#next < responses.length) return responses[this.#next++];
    const ending = await this.ended;
    if (!ending.ok) throw ending.error;
    return EOF;
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<unknown> {
    for (;;) {
      const response = await this.read();
      if (response === EOF) return;
      yield response;
    }
  }
  async write(request: unknown): Promise<void> {
    if (this.#ending) throw new InvalidStateError(RPC_ALREADY_FINISHED);
    if (this.#halfClosed) throw new InvalidStateError(HALF_CLOSED);
    this.requests.push(request);
  }
  async doneWriting(): Promise<void> {
    this.#halfClosed = true;
    this.#resolveHalfClose();
  }
}

export class FakeChannel implements Channel {
  readonly calls: FakeCall[] = [];
  readonly made: { kind: CallKind; method: string }[] = [];
  script: (call: { kind: CallKind; method: string; request: unknown; options: CallOptions }) => Script;
  closed: (number | null | undefined)[] = [];

  constructor(script?: FakeChannel['script']) {
    this.script = script ?? (({ request }) => ({ response: { echo: request }, responses: ['r1', 'r2'] }));
  }

  #callable(kind: CallKind, method: string) {
    this.made.push({ kind, method });
    return (request: unknown, options: CallOptions = {}) => {
      const call = new FakeCall(
        kind,
        method,
        request,
        options,
        this.script({ kind, method, request, options }),
      );
      this.calls.push(call);
      return call;
    };
  }
  unaryUnary(method: string): any {
    return this.#callable('unaryUnary', method);
  }
  unaryStream(method: string): any {
    return this.#callable('unaryStream', method);
  }
  streamUnary(method: string): any {
    return this.#callable('streamUnary', method);
  }
  streamStream(method: string): any {
    return this.#callable('streamStream', method);
  }
  async close(grace?: number | null): Promise<void> {
    this.closed.push(grace);
  }
  getState(): ChannelConnectivity {
    return ChannelConnectivity.READY;
  }
  async waitForStateChange(): Promise<void> {}
  async channelReady(): Promise<void> {}
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Waits until `predicate()` holds, checking on each macrotask turn (bounded). */
export async function until(predicate: () => boolean, turns = 200): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
