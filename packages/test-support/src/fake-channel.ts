// biome-ignore-all lint/suspicious/noExplicitAny: a fake Channel makes calls of every message type (the Channel contract is generic in them)
// A scripted fake of core's Channel contract: its multi-callables record what reached them (the
// codecs, each call's options and requests, the serialized request bytes) and return calls that play
// the server's side from a script. Unlike the testing package's FakeChannel, no real call object
// runs above it: it is the end of the line for code written against the contract (interceptor
// chains, protos' stubs).
import {
  type CallKind,
  type CallOptions,
  type Channel,
  ChannelConnectivity,
  type Deserializer,
  EOF,
  type RequestIterable,
  type Serializer,
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

/** How a call answers. */
export interface Script {
  /** The response of a unary-response call. */
  response?: unknown;
  /** The responses of a streaming-response call, readable before it ends. */
  responses?: unknown[];
  /**
   * Computes the responses when the call finishes, once its requests were read (a unary-response
   * call answers with the first); takes the place of `response` and `responses`. A throw ends the
   * call with the error.
   */
  respond?: (call: FakeCall) => unknown[];
  code?: StatusCode;
  details?: string;
  initialMetadata?: MetadataLike;
  trailingMetadata?: MetadataLike;
  /** Ends only when finish() is called (or on cancel). */
  manual?: boolean;
}

/** One multi-callable the fake channel made. */
export interface MadeCallable {
  readonly kind: CallKind;
  readonly method: string;
  readonly serializer: Serializer<any> | null | undefined;
  readonly deserializer: Deserializer<any> | null | undefined;
  /** The bytes of every request sent through it, in order, when it has a serializer. */
  readonly sent: Uint8Array[];
}

/** What the script is told about each call. */
export interface CallStart {
  readonly kind: CallKind;
  readonly method: string;
  readonly request: unknown;
  readonly options: CallOptions;
  readonly callable: MadeCallable;
}

type Ending = { ok: true } | { ok: false; error: unknown };

export class FakeCall {
  readonly kind: CallKind;
  readonly method: string;
  readonly request: unknown;
  readonly options: CallOptions;
  readonly callable: MadeCallable;
  /** The requests of a streaming-request call, iterated or written. */
  readonly requests: unknown[] = [];
  readonly script: Script;
  readonly #deadline: number | undefined;
  #ending: Ending | undefined;
  #resolveEnded!: (ending: Ending) => void;
  readonly ended: Promise<Ending>;
  readonly #outcome: Promise<unknown>;
  #response: unknown;
  #responses: unknown[];
  #callbacks: ((call: this) => void)[] = [];
  #next = 0;
  #halfClosed = false;
  #resolveHalfClose!: () => void;
  readonly #halfClose = new Promise<void>((resolve) => {
    this.#resolveHalfClose = resolve;
  });

  constructor(callable: MadeCallable, request: unknown, options: CallOptions, script: Script) {
    this.kind = callable.kind;
    this.method = callable.method;
    this.callable = callable;
    this.request = request;
    this.options = options;
    this.script = script;
    this.#response = script.response;
    this.#responses = script.responses ?? [];
    this.#deadline = options.timeout === undefined ? undefined : performance.now() + options.timeout * 1000;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#outcome = this.ended.then((ending) => {
      if (!ending.ok) throw ending.error;
      return this.#response;
    });
    this.#outcome.catch(() => {});
    // Only the unary-response calls are awaitable.
    if (this.kind === 'unaryStream' || this.kind === 'streamStream')
      Object.defineProperty(this, 'then', { value: undefined });
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (!this.streamingRequest) {
      try {
        this.#send(request);
      } catch (error) {
        this.#end({ ok: false, error });
      }
    }
    if (!script.manual) this.#autoFinish().catch((error: unknown) => this.#end({ ok: false, error }));
  }

  get streamingRequest(): boolean {
    return this.kind === 'streamUnary' || this.kind === 'streamStream';
  }

  /** Serializes a request as the channel would put it on the wire, when the callable has a serializer. */
  #send(request: unknown): void {
    if (this.callable.serializer) this.callable.sent.push(this.callable.serializer(request));
  }

  #receive(request: unknown): void {
    this.requests.push(request);
    this.#send(request);
  }

  async #autoFinish(): Promise<void> {
    if (this.streamingRequest) {
      if (this.request == null) await this.#halfClose;
      else for await (const request of this.request as RequestIterable<unknown>) this.#receive(request);
    }
    await Promise.resolve();
    this.finish();
  }

  /** Ends the call with the scripted status. */
  finish(): void {
    if (this.#ending) return;
    if (this.script.respond) {
      try {
        this.#responses = this.script.respond(this);
        this.#response = this.#responses[0];
      } catch (error) {
        this.#end({ ok: false, error });
        return;
      }
    }
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
    if (ending.error instanceof AioRpcError) return ending.error.code();
    return ending.error instanceof CancelledError ? StatusCode.CANCELLED : StatusCode.UNKNOWN;
  }
  async details(): Promise<string> {
    const ending = await this.ended;
    if (ending.ok) return '';
    if (ending.error instanceof AioRpcError) return ending.error.details() ?? '';
    return ending.error instanceof CancelledError
      ? 'Locally cancelled by application!'
      : String(ending.error);
  }
  async debugErrorString(): Promise<string> {
    return '';
  }
  async waitForConnection(): Promise<void> {}

  async read(): Promise<unknown> {
    if (this.#ending !== undefined && !this.#ending.ok) throw this.#ending.error;
    if (this.#next < this.#responses.length) return this.#responses[this.#next++];
    const ending = await this.ended;
    if (!ending.ok) throw ending.error;
    // Responses a `respond` script computed as the call finished.
    if (this.#next < this.#responses.length) return this.#responses[this.#next++];
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
    this.#receive(request);
  }
  async doneWriting(): Promise<void> {
    this.#halfClosed = true;
    this.#resolveHalfClose();
  }
}

/**
 * A Channel whose multi-callables record what the code under test hands them (`made`, `calls`) and
 * answer from `script`. Without a script, a unary-response call answers `{ echo: request }` and a
 * streaming-response call `'r1'`, `'r2'`.
 */
export class FakeChannel implements Channel {
  readonly calls: FakeCall[] = [];
  readonly made: MadeCallable[] = [];
  script: (call: CallStart) => Script;
  closed: (number | null | undefined)[] = [];

  constructor(script?: FakeChannel['script']) {
    this.script = script ?? (({ request }) => ({ response: { echo: request }, responses: ['r1', 'r2'] }));
  }

  #callable(
    kind: CallKind,
    method: string,
    serializer: Serializer<any> | null | undefined,
    deserializer: Deserializer<any> | null | undefined,
  ) {
    const callable: MadeCallable = { kind, method, serializer, deserializer, sent: [] };
    this.made.push(callable);
    return (request: unknown, options: CallOptions = {}) => {
      const call = new FakeCall(
        callable,
        request,
        options,
        this.script({ kind, method, request, options, callable }),
      );
      this.calls.push(call);
      return call;
    };
  }
  unaryUnary(
    method: string,
    serializer?: Serializer<any> | null,
    deserializer?: Deserializer<any> | null,
  ): any {
    return this.#callable('unaryUnary', method, serializer, deserializer);
  }
  unaryStream(
    method: string,
    serializer?: Serializer<any> | null,
    deserializer?: Deserializer<any> | null,
  ): any {
    return this.#callable('unaryStream', method, serializer, deserializer);
  }
  streamUnary(
    method: string,
    serializer?: Serializer<any> | null,
    deserializer?: Deserializer<any> | null,
  ): any {
    return this.#callable('streamUnary', method, serializer, deserializer);
  }
  streamStream(
    method: string,
    serializer?: Serializer<any> | null,
    deserializer?: Deserializer<any> | null,
  ): any {
    return this.#callable('streamStream', method, serializer, deserializer);
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
