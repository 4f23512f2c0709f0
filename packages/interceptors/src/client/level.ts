import type { Call, ClientCallTelemetry, Clock, UnaryUnaryCall } from '@grpc-aio/core';
import { CancelledError } from '@grpc-aio/errors';
import { isCallLike, isPromiseLike, isResponseIterable, toCallError } from './call-utils.js';
import { ClientCallDetails, type ClientCallDetailsInit } from './client-call-details.js';
import { type CallKind, type ClientInterceptor, INTERCEPT_METHOD } from './client-interceptor.js';
import { IterableCall } from './iterable-call.js';
import { STREAM_INTERCEPTOR_BAD_RESULT } from './messages.js';
import { SettledCall } from './settled-call.js';

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
   * `telemetry` records (when set), with the last interceptor's `continuation.signal` when it read
   * it (cancelling the chain cancels the RPC either way).
   */
  terminal(
    details: ClientCallDetails,
    requestOrIterator: unknown,
    signal: AbortSignal | undefined,
    telemetry: ClientCallTelemetry | undefined,
  ): Call;
  /**
   * Makes the `InterceptedCall` of level `index`: it runs the level, or (`ran`) waits for the
   * promise the level's interceptor already answered with.
   */
  standIn(
    index: number,
    details: ClientCallDetails,
    request: unknown,
    telemetry: ClientCallTelemetry | undefined,
    ran?: PendingLevel,
  ): Call;
}

/** A call a continuation made, and (for an interceptor that answered asynchronously) how awaiting it settled. */
interface ProducedCall {
  readonly call: Call;
  settled?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
}

const isUnaryResponse = (kind: CallKind): boolean => kind === 'unaryUnary' || kind === 'streamUnary';
export const isStreamRequest = (kind: CallKind): boolean => kind === 'streamUnary' || kind === 'streamStream';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

const cancelledCall = (): Call => new SettledCall({ ok: false, error: new CancelledError() });

// A continuation's `signal` and `clock` are getters on a prototype every continuation shares: the
// signal (and its AbortController, the costliest object of a call) is made only when read.
const LEVEL: unique symbol = Symbol('grpc-aio.interceptorLevel');
type LevelContinuation = ((details: ClientCallDetails | ClientCallDetailsInit, request: unknown) => Call) & {
  [LEVEL]: Level;
};
const CONTINUATION_PROTOTYPE = Object.create(Function.prototype, {
  signal: {
    enumerable: true,
    get(this: LevelContinuation): AbortSignal {
      return this[LEVEL].readSignal();
    },
  },
  clock: {
    enumerable: true,
    get(this: LevelContinuation): Clock {
      return this[LEVEL].chain.clock;
    },
  },
});

/**
 * One run of one interceptor: its continuation, the calls that continuation made, and its
 * cancellation signal. A level whose interceptor returns a call synchronously leaves nothing else
 * behind (the caller gets that call itself); one that answers with a promise, or whose caller writes
 * the requests, becomes an {@link InterceptedCall}.
 */
export class Level {
  readonly chain: InterceptorChain;
  readonly index: number;
  readonly telemetry: ClientCallTelemetry | undefined;
  readonly produced: ProducedCall[] = [];
  #controller: AbortController | undefined;
  #aborted = false;
  #signalRead = false;
  // The interceptor answered with a promise: how each produced call settles is recorded, so that
  // the response (or error) it resolves with is matched back to the call that gave it.
  #tracking = false;

  constructor(chain: InterceptorChain, index: number, telemetry: ClientCallTelemetry | undefined) {
    this.chain = chain;
    this.index = index;
    this.telemetry = telemetry;
  }

  /** `continuation.signal`. */
  readSignal(): AbortSignal {
    this.#signalRead = true;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** Aborts `continuation.signal`: calls the continuation makes from now on are born cancelled. */
  abort(): void {
    this.#aborted = true;
    this.#controller?.abort();
  }

  /** Runs the interceptor: the call it returned, the call its answer became, or its promise. */
  run(details: ClientCallDetails, request: unknown): Call | PromiseLike<unknown> {
    const chain = this.chain;
    const interceptor = chain.interceptors[this.index] as Record<string, Function>;
    const continuation = ((nextDetails: ClientCallDetails | ClientCallDetailsInit, nextRequest: unknown) =>
      this.#continue(nextDetails, nextRequest)) as LevelContinuation;
    continuation[LEVEL] = this;
    Object.setPrototypeOf(continuation, CONTINUATION_PROTOTYPE);
    let result: unknown;
    try {
      result = interceptor[INTERCEPT_METHOD[chain.kind]]!.call(interceptor, continuation, details, request);
    } catch (error) {
      return this.callForError(error);
    }
    if (isCallLike(result)) return result;
    if (!isPromiseLike(result)) return this.callFor(result);
    if (isUnaryResponse(chain.kind)) {
      this.#tracking = true;
      for (const produced of this.produced) track(produced);
    }
    return result;
  }

  /**
   * The caller got `call` itself: when it ends cancelled, `continuation.signal` aborts (when the
   * interceptor read it).
   */
  returned(call: Call): void {
    if (this.#signalRead) call.addDoneCallback(() => call.cancelled() && this.abort());
  }

  #continue(details: ClientCallDetails | ClientCallDetailsInit, request: unknown): Call {
    const nextDetails = details instanceof ClientCallDetails ? details : new ClientCallDetails(details);
    // After a cancel the chain makes no new RPCs: late continuations get a cancelled call.
    if (this.#aborted) return cancelledCall();
    const chain = this.chain;
    const next =
      this.index + 1 < chain.interceptors.length
        ? intercept(chain, this.index + 1, nextDetails, request, this.telemetry)
        : chain.terminal(nextDetails, request, this.#controller?.signal, this.telemetry);
    const produced: ProducedCall = { call: next };
    this.produced.push(produced);
    if (this.#tracking) track(produced);
    return next;
  }

  /** The call an interceptor's answer (not a call) becomes. */
  callFor(value: unknown): Call {
    if (isCallLike(value)) return value;
    if (isUnaryResponse(this.chain.kind)) {
      const match = this.produced.findLast(
        (produced) => produced.settled?.ok && produced.settled.value === value,
      );
      return match?.call ?? new SettledCall({ ok: true, value });
    }
    if (isResponseIterable(value)) return new IterableCall(value, this.produced.at(-1)?.call);
    const error = new TypeError(`${STREAM_INTERCEPTOR_BAD_RESULT}, got ${describe(value)}.`);
    return new SettledCall({ ok: false, error: toCallError(error) });
  }

  /** The call an interceptor's error becomes: the call that failed with it, else a failed call. */
  callForError(error: unknown): Call {
    const match = this.produced.findLast(
      (produced) =>
        produced.settled !== undefined && !produced.settled.ok && produced.settled.error === error,
    );
    return match?.call ?? new SettledCall({ ok: false, error: toCallError(error) });
  }
}

/**
 * Records how awaiting a produced call settles. Attached before anything else can await the call's
 * outcome through the interceptor's promise: when an async interceptor's `return call` flattens to
 * this response (or error), `callFor` recognises it.
 */
function track(produced: ProducedCall): void {
  void (produced.call as UnaryUnaryCall).then(
    (value) => {
      produced.settled = { ok: true, value };
    },
    (error: unknown) => {
      produced.settled = { ok: false, error };
    },
  );
}

/** Runs interceptor level `index` for the level above it: the call its continuation returns. */
function intercept(
  chain: InterceptorChain,
  index: number,
  details: ClientCallDetails,
  request: unknown,
  telemetry: ClientCallTelemetry | undefined,
): Call {
  // The caller writes the requests: it needs a call object whose write() feeds them.
  if (isStreamRequest(chain.kind) && request == null) {
    return chain.standIn(index, details, request, telemetry);
  }
  const level = new Level(chain, index, telemetry);
  const result = level.run(details, request);
  if (isCallLike(result)) {
    level.returned(result);
    return result;
  }
  return chain.standIn(index, details, request, telemetry, { level, pending: result });
}

/** An interceptor level that already ran and answered with a promise. */
export interface PendingLevel {
  readonly level: Level;
  readonly pending: PromiseLike<unknown>;
}
