import {
  type Call,
  type ClientCallTelemetry,
  type Clock,
  StatusCode,
  type UnaryUnaryCall,
} from '@grpc-aio/core';
import { CALL_END, reportsEnd } from '@grpc-aio/core/internal';
import { CancelledError, LOCALLY_CANCELLED } from '@grpc-aio/errors';
import {
  type Deadline,
  deadlineIn,
  isCallLike,
  isPromiseLike,
  isResponseIterable,
  toCallError,
} from './call-utils.js';
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

// A continuation's `signal` is a getter on a prototype every continuation shares: the signal (and
// its AbortController, the costliest object of a call) is made only when read. `clock` is an own
// property, so a copy of the continuation keeps it.
const LEVEL: unique symbol = Symbol('grpc-aio.interceptorLevel');
type LevelContinuation = ((details: ClientCallDetails | ClientCallDetailsInit, request: unknown) => Call) & {
  [LEVEL]: Level;
  clock: Clock;
};
const CONTINUATION_PROTOTYPE = Object.create(Function.prototype, {
  signal: {
    enumerable: true,
    get(this: LevelContinuation): AbortSignal {
      return this[LEVEL].readSignal();
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
  /** The deadline of the details the interceptor is called with (`timeRemaining()` of an answer). */
  readonly deadline: Deadline | undefined;
  #controller: AbortController | undefined;
  #aborted = false;
  // The interceptor answered with a promise: how each produced call settles is recorded, so that
  // the response (or error) it resolves with is matched back to the call that gave it.
  #tracking = false;

  constructor(
    chain: InterceptorChain,
    index: number,
    timeout: number | undefined,
    telemetry: ClientCallTelemetry | undefined,
  ) {
    this.chain = chain;
    this.index = index;
    this.deadline = deadlineIn(chain.clock, timeout);
    this.telemetry = telemetry;
  }

  /** `continuation.signal`. */
  readSignal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /**
   * The level's call was cancelled: aborts `continuation.signal`, cancels every call the
   * continuation made (a hedge the interceptor did not return too), and makes calls the
   * continuation makes from now on born cancelled.
   */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
    for (const produced of this.produced) produced.call.cancel();
  }

  /** Runs the interceptor: the call it returned, the call its answer became, or its promise. */
  run(details: ClientCallDetails, request: unknown): Call | PromiseLike<unknown> {
    const chain = this.chain;
    const interceptor = chain.interceptors[this.index] as Record<string, Function>;
    const continuation = ((nextDetails: ClientCallDetails | ClientCallDetailsInit, nextRequest: unknown) =>
      this.#continue(nextDetails, nextRequest)) as LevelContinuation;
    continuation[LEVEL] = this;
    continuation.clock = chain.clock;
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
   * The caller got `call` itself (no stand-in): when it is cancelled locally, the level is aborted
   * (see `abort`). Told through `CALL_END` (whatever the call's done callbacks do) by the calls of
   * the grpc-aio packages, through a done callback by others.
   */
  returned(call: Call): void {
    if (reportsEnd(call)) {
      call[CALL_END]((code, details) => {
        if (code === StatusCode.CANCELLED && details === LOCALLY_CANCELLED) this.abort();
      });
    } else {
      call.addDoneCallback(() => {
        if (call.cancelled()) this.abort();
      });
    }
  }

  #continue(details: ClientCallDetails | ClientCallDetailsInit, request: unknown): Call {
    const nextDetails = details instanceof ClientCallDetails ? details : new ClientCallDetails(details);
    // After a cancel the chain makes no new RPCs: late continuations get a cancelled call.
    if (this.#aborted) return new SettledCall({ ok: false, error: new CancelledError() }, this.deadline);
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
      return match?.call ?? new SettledCall({ ok: true, value }, this.deadline);
    }
    if (isResponseIterable(value)) return new IterableCall(value, this.produced.at(-1)?.call, this.deadline);
    const error = new TypeError(`${STREAM_INTERCEPTOR_BAD_RESULT}, got ${describe(value)}.`);
    return new SettledCall({ ok: false, error: toCallError(error) }, this.deadline);
  }

  /** The call an interceptor's error becomes: the call that failed with it, else a failed call. */
  callForError(error: unknown): Call {
    const match = this.produced.findLast(
      (produced) =>
        produced.settled !== undefined && !produced.settled.ok && produced.settled.error === error,
    );
    return match?.call ?? new SettledCall({ ok: false, error: toCallError(error) }, this.deadline);
  }
}

/**
 * Records how awaiting a produced call settles. Attached before anything else can await the call's
 * outcome through the interceptor's promise: when an async interceptor's `return call` flattens to
 * this response (or error), `callFor` recognises it.
 */
function track(produced: ProducedCall): void {
  // A call-like object that is not awaitable (not a unary call) settles with itself.
  if (typeof (produced.call as Partial<UnaryUnaryCall>).then !== 'function') return;
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
  const level = new Level(chain, index, details.timeout, telemetry);
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
