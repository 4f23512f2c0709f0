import type {
  EOF,
  RequestIterable,
  StreamStreamCall,
  StreamUnaryCall,
  UnaryStreamCall,
  UnaryUnaryCall,
} from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import { ClientCall } from './client-call.js';
import type { ClientCallInit } from './transport.js';

/**
 * The unary-response calls (unary-unary, stream-unary): awaitable, `await call` gives the response
 * (or throws the call's error), with `catch` and `finally` as on a Promise.
 */
export abstract class UnaryResponseCall<TRequest, TResponse> extends ClientCall<TRequest, TResponse> {
  // biome-ignore lint/suspicious/noThenProperty: the call is awaitable by design (PromiseLike)
  then<TResult1 = TResponse, TResult2 = never>(
    onfulfilled?: ((value: TResponse) => TResult1 | PromiseLike<TResult1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.outcome().then(onfulfilled, onrejected);
  }

  /** Same as `Promise.prototype.catch` on the response. */
  catch<TResult = never>(
    // biome-ignore lint/suspicious/noExplicitAny: PromiseLike's own signature (lib.es5.d.ts): a rejection reason is any, so that `catch((error) => error.code())` type-checks as on a Promise
    onrejected?: ((reason: any) => TResult | PromiseLike<TResult>) | null,
  ): Promise<TResponse | TResult> {
    return this.outcome().catch(onrejected);
  }

  /** Same as `Promise.prototype.finally` on the response. */
  finally(onfinally?: (() => void) | null): Promise<TResponse> {
    return this.outcome().finally(onfinally);
  }
}

/** The streaming-response calls (unary-stream, stream-stream): `for await` or `read()` the responses. */
abstract class StreamResponseCall<TRequest, TResponse> extends ClientCall<TRequest, TResponse> {
  read(): Promise<TResponse | EOF> {
    return this.readResponse();
  }

  [Symbol.asyncIterator](): AsyncIterator<TResponse> {
    return this.responseIterator();
  }
}

/**
 * A unary-unary call (Python's `aio.UnaryUnaryCall`): `await call` gives the response.
 * Construct it through a channel's multi-callable, or (testing) over any `CallTransport`.
 */
export class UnaryUnaryCallImpl<TRequest = Uint8Array, TResponse = Uint8Array>
  extends UnaryResponseCall<TRequest, TResponse>
  implements UnaryUnaryCall<TRequest, TResponse>
{
  /** Creates the call and starts the RPC: sends `metadata` and `request`, then half-closes. */
  constructor(init: ClientCallInit<TRequest, TResponse>, metadata: Metadata, request: TRequest) {
    super(init, true);
    this.start(metadata, request, false);
  }
}

/** A unary-stream call (Python's `aio.UnaryStreamCall`): `for await` or `read()` the responses. */
export class UnaryStreamCallImpl<TRequest = Uint8Array, TResponse = Uint8Array>
  extends StreamResponseCall<TRequest, TResponse>
  implements UnaryStreamCall<TRequest, TResponse>
{
  /** Creates the call and starts the RPC: sends `metadata` and `request`, then half-closes. */
  constructor(init: ClientCallInit<TRequest, TResponse>, metadata: Metadata, request: TRequest) {
    super(init, false);
    this.start(metadata, request, false);
  }
}

/** A stream-unary call (Python's `aio.StreamUnaryCall`): `write()`/`doneWriting()`, then `await call`. */
export class StreamUnaryCallImpl<TRequest = Uint8Array, TResponse = Uint8Array>
  extends UnaryResponseCall<TRequest, TResponse>
  implements StreamUnaryCall<TRequest, TResponse>
{
  /** Creates the call and starts the RPC; with `requests` the call consumes them in the background. */
  constructor(
    init: ClientCallInit<TRequest, TResponse>,
    metadata: Metadata,
    requests?: RequestIterable<TRequest> | null,
  ) {
    super(init, true);
    this.start(metadata, requests, true);
  }

  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }

  doneWriting(): Promise<void> {
    return this.doneWritingRequests();
  }
}

/** A stream-stream call (Python's `aio.StreamStreamCall`). */
export class StreamStreamCallImpl<TRequest = Uint8Array, TResponse = Uint8Array>
  extends StreamResponseCall<TRequest, TResponse>
  implements StreamStreamCall<TRequest, TResponse>
{
  /** Creates the call and starts the RPC; with `requests` the call consumes them in the background. */
  constructor(
    init: ClientCallInit<TRequest, TResponse>,
    metadata: Metadata,
    requests?: RequestIterable<TRequest> | null,
  ) {
    super(init, false);
    this.start(metadata, requests, true);
  }

  write(request: TRequest): Promise<void> {
    return this.writeRequest(request);
  }

  doneWriting(): Promise<void> {
    return this.doneWritingRequests();
  }
}
