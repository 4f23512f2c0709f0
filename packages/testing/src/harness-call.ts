import {
  type Compression,
  type HandlerCallDetails,
  type RpcMethodHandler,
  type ServerCallTelemetry,
  type ServicerContext,
  StatusCode,
  statusCodeToString,
} from '@grpc-aio/core';
import { LOCALLY_CANCELLED, UsageError } from '@grpc-aio/errors';
import type { ServerInterceptor } from '@grpc-aio/interceptors/server';
import { Metadata } from '@grpc-aio/metadata';
import {
  isRpcMethodHandler,
  type MessageCodec,
  type PeerAuth,
  type RpcHost,
  type ServerCallTransport,
  ServerRpc,
  serverRpcEvents,
  type TransportStatus,
} from '@grpc-aio/server/internal';
import { bounded, deferred, Inbox } from './deferred.js';
import { FAKE_DEADLINE_EXCEEDED } from './fake-channel-types.js';
import { REQUESTS_ALREADY_CLOSED, type Termination } from './servicer-harness-types.js';
import { clockOf, type ScheduledCall, type Time } from './time.js';

// One RPC of the servicer harness (HarnessCall): the transport under the server's own RPC
// machinery, and the object the test holds as its `*ServerRpc` handle. Also the by-reference
// codec its messages pass through, and the interceptor that checks the invoked kind.

/** What an RPC needs of its harness (a FakeServer). */
interface HarnessHost {
  readonly time: Time;
  readonly interceptors: readonly ServerInterceptor[];
  readonly peer: string;
  readonly authContext: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly peerIdentityKey: string | undefined;
  readonly takeTimeout: number;
  callTelemetry(method: string, rpc: ServerRpc): ServerCallTelemetry | undefined;
  findHandler(details: HandlerCallDetails): RpcMethodHandler | null | undefined;
}

// Messages pass by reference: the harness's transport carries each request or response object as
// a unique empty Buffer standing for it, and the server's codec step maps between the two (in place
// of the handlers' own codecs).
const byReference = new WeakMap<Buffer, unknown>();
function asMessage(value: unknown): Buffer {
  const token = Buffer.alloc(0);
  byReference.set(token, value);
  return token;
}
/** The size telemetry records for a message passed by reference: bytes have one, objects none. */
const sizeOf = (value: unknown): number => (value instanceof Uint8Array ? value.byteLength : 0);
function fromMessage(message: Buffer): unknown {
  return byReference.get(message);
}
const BY_REFERENCE: MessageCodec = Object.freeze({ deserialize: fromMessage, serialize: asMessage });

/** The kind of an RPC, by which of its sides stream. */
export interface Kind {
  readonly requestStreaming: boolean;
  readonly responseStreaming: boolean;
}
export const kindName = ({ requestStreaming, responseStreaming }: Kind): string =>
  `${requestStreaming ? 'stream' : 'unary'}${responseStreaming ? 'Stream' : 'Unary'}`;

/**
 * The outermost interceptor of every harness RPC: the test said which kind of RPC it invokes (a
 * real client does so by how it calls), and a handler of another kind ends the RPC with INTERNAL.
 */
function kindCheck(method: string, invoked: Kind): ServerInterceptor {
  return {
    async interceptService(continuation, details) {
      const handler = await continuation(details);
      if (
        !isRpcMethodHandler(handler) ||
        (handler.requestStreaming === invoked.requestStreaming &&
          handler.responseStreaming === invoked.responseStreaming)
      ) {
        return handler;
      }
      const message = `The handler of ${method} is ${kindName(handler)}, invoked as another kind.`;
      const refuse = (_request: unknown, context: ServicerContext) =>
        context.abort(StatusCode.INTERNAL, message);
      return {
        ...invoked,
        unaryUnary: refuse,
        unaryStream: refuse,
        streamUnary: refuse,
        streamStream: refuse,
      } as RpcMethodHandler;
    },
  };
}

/**
 * One RPC of the harness: the per-call transport of the server's own RPC machinery (a
 * `ServerRpc` of @grpc-aio/server, which is the handler's `ServicerContext`), and the
 * test's handle on the client side.
 */
export class HarnessCall implements ServerCallTransport {
  readonly #server: HarnessHost;
  readonly #method: string;
  readonly #kind: Kind;
  readonly #rpc: ServerRpc;
  readonly #deadline: number; // ms on the harness clock
  readonly #metadata: Metadata;
  readonly #telemetry: ServerCallTelemetry | undefined;
  #timer: ScheduledCall | undefined;

  // Requests, as messages for the server.
  #requests: Buffer[] = [];
  #halfClosed = false;
  #halfCloseDelivered = false;
  #reads = 0;
  #delivering = false;

  // What the server sent.
  readonly #responses = new Inbox<unknown>();
  #response: { value: unknown } | undefined;
  readonly #initialMetadata = deferred<Metadata>();
  readonly #termination = deferred<Termination>();
  #ended: Termination | undefined;

  constructor(
    server: HarnessHost,
    method: string,
    kind: Kind,
    metadata: Metadata,
    timeout: number | undefined,
  ) {
    this.#server = server;
    this.#method = method;
    this.#kind = kind;
    const time = server.time;
    const host: RpcHost = {
      interceptors: [kindCheck(method, kind), ...server.interceptors],
      findHandler: (_path, details) => server.findHandler(details()),
      admit: () => true,
      ended: () => {},
      clock: clockOf(time),
      codec: BY_REFERENCE,
    };
    this.#metadata = metadata.copy();
    this.#rpc = new ServerRpc(host, method, this);
    this.#telemetry = server.callTelemetry(method, this.#rpc);
    if (this.#telemetry !== undefined) this.#rpc.observe(this.#telemetry);
    if (timeout == null) {
      this.#deadline = Number.POSITIVE_INFINITY;
    } else {
      const deadline = time.time() + timeout;
      this.#deadline = deadline * 1000;
      this.#timer = time.callAt(() => this.#expire(), deadline);
    }
  }

  // ---- the test (client) side ----------------------------------------------------------------

  start(request: unknown, unaryRequest: boolean): this {
    if (unaryRequest) {
      this.#requests.push(asMessage(request));
      this.#telemetry?.onReceived(sizeOf(request));
      this.#halfClosed = true;
    }
    this.#rpc.dispatch();
    return this;
  }

  sendRequest(request: unknown): void {
    if (this.#halfClosed) throw new UsageError(REQUESTS_ALREADY_CLOSED);
    if (this.#ended !== undefined) return;
    this.#requests.push(asMessage(request));
    this.#telemetry?.onReceived(sizeOf(request));
    this.#deliver();
  }

  closeRequests(): void {
    if (this.#halfClosed) return;
    this.#halfClosed = true;
    this.#deliver();
  }

  cancel(): void {
    if (this.#ended !== undefined) return;
    this.#end({ trailingMetadata: new Metadata(), code: StatusCode.CANCELLED, details: LOCALLY_CANCELLED });
    serverRpcEvents.cancel(this.#rpc, 'client');
  }

  initialMetadata(): Promise<Metadata> {
    return bounded(
      this.#initialMetadata.promise,
      this.#server.takeTimeout,
      () => `initialMetadata() of ${this.#method} timed out: the handler neither sent any nor ended the RPC.`,
    );
  }

  termination(): Promise<Termination> {
    return bounded(
      this.#termination.promise,
      this.#server.takeTimeout,
      () => `termination() of ${this.#method} timed out: the handler has not ended the RPC.`,
    );
  }

  takeResponse(): Promise<unknown> {
    const next = this.#responses.take(() =>
      this.#ended === undefined ? undefined : Promise.reject(this.#noMoreResponses()),
    );
    return bounded(next, this.#server.takeTimeout, () => `takeResponse() on ${this.#method} timed out.`);
  }

  #noMoreResponses(): Error {
    const ended = this.#ended!;
    return new Error(
      `takeResponse() on ${this.#method}: the RPC ended with ${statusCodeToString(ended.code)} "${ended.details}" and no further response.`,
    );
  }

  #end(termination: Termination): void {
    this.#ended = termination;
    this.#telemetry?.onEnd(termination.code, termination.details);
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#initialMetadata.resolve(new Metadata());
    this.#termination.resolve(termination);
    this.#responses.settleWaiting((waiter) => waiter.reject(this.#noMoreResponses()));
  }

  /** The deadline passed: the client sees DEADLINE_EXCEEDED, the server a cancellation. */
  #expire(): void {
    if (this.#ended !== undefined) return;
    this.#end({
      trailingMetadata: new Metadata(),
      code: StatusCode.DEADLINE_EXCEEDED,
      details: FAKE_DEADLINE_EXCEEDED,
    });
    serverRpcEvents.cancel(this.#rpc, 'deadline');
  }

  /** Answers the server's pending reads (one message or the half-close each), a turn later as grpc-js does. */
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    queueMicrotask(() => {
      this.#delivering = false;
      while (this.#reads > 0 && this.#ended === undefined) {
        const request = this.#requests.shift();
        if (request !== undefined) {
          this.#reads--;
          serverRpcEvents.message(this.#rpc, request);
        } else if (this.#halfClosed && !this.#halfCloseDelivered) {
          this.#reads--;
          this.#halfCloseDelivered = true;
          serverRpcEvents.halfClose(this.#rpc);
        } else {
          return;
        }
      }
    });
  }

  // ---- ServerCallTransport (the server's side) ------------------------------------------------

  sendMetadata(metadata: Metadata): void {
    if (this.#ended === undefined) this.#initialMetadata.resolve(metadata.copy());
  }

  sendMessage(message: Buffer, callback: () => void): void {
    if (this.#ended !== undefined) return;
    this.#initialMetadata.resolve(new Metadata());
    const response = fromMessage(message);
    this.#telemetry?.onSent(sizeOf(response));
    if (!this.#kind.responseStreaming) this.#response = { value: response };
    else this.#responses.put(response);
    // No flow control: the test takes responses at its own pace.
    callback();
  }

  sendFinalMessage(message: Buffer): void {
    this.sendMessage(message, () => {});
  }

  sendStatus(status: TransportStatus): void {
    if (this.#ended !== undefined) return;
    const unary = status.code === StatusCode.OK ? this.#response : undefined;
    this.#end({
      ...(unary === undefined ? {} : { response: unary.value }),
      trailingMetadata: status.metadata?.copy() ?? new Metadata(),
      code: status.code,
      details: status.details ?? '',
    });
  }

  startRead(): void {
    this.#reads++;
    this.#deliver();
  }

  setCompression(_compression: Compression): void {
    // Messages pass by reference: there is nothing to compress.
  }

  getRequestMetadata(): Metadata {
    return this.#metadata;
  }

  getPeer(): string {
    return this.#server.peer;
  }

  getDeadline(): number {
    return this.#deadline;
  }

  getPeerAuth(): PeerAuth {
    const key = this.#server.peerIdentityKey;
    const context = this.#server.authContext;
    return {
      context: Object.fromEntries(Object.entries(context).map(([name, values]) => [name, [...values]])),
      identityKey: key,
    };
  }
}
