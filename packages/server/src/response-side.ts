import {
  type Clock,
  type Compression,
  isCompression,
  isStatusCode,
  StatusCode,
  type StatusLike,
} from '@grpc-aio/core';
import {
  ABORT_ALREADY_CALLED,
  AbortError,
  INITIAL_METADATA_ALREADY_SENT,
  LOCALLY_ABORTED,
  RPC_ALREADY_FINISHED,
  UsageError,
} from '@grpc-aio/errors';
import { runDoneCallbacks } from '@grpc-aio/errors/internal';
import { Metadata, type MetadataLike } from '@grpc-aio/metadata';
import { describeThrown } from './describe-error.js';
import { ABORT_WITH_OK, COMPRESSION_AFTER_METADATA } from './messages.js';
import { ResponseWindow } from './response-window.js';
import type { ServerCallTransport } from './server-call-transport.js';
import { StatusContext, toTrailingMetadata, trailersOf } from './status-context.js';

// The response side of a server RPC: what it sends the client (initial metadata, responses, and
// once, the status: the handler's outcome, abort(), a refusal), and how the RPC ends: by that
// status, or terminated otherwise (client cancel, deadline, server stop, the runtime), after which
// the handler's outcome is dropped. Either way its done callbacks then run, once. The request side
// (finding and running the handler, the requests) is ServerRpc, in server-rpc.ts.
//
// The state stays private: ServerRpc reaches it through the functions below (installed from the
// static block, as status-context.ts does), and gives what only it knows through hooks it installs
// once (as rpc-events.ts does), so that no per-call closures are needed.

/** What the request side does for the response side (ServerRpc installs these once). */
interface ResponseHooks {
  /** The response's bytes; when it cannot be serialized, ends the RPC with INTERNAL and throws. */
  serialize(rpc: ResponseSide, response: unknown): Buffer;
  /** The RPC was terminated: the requests fail with `reason` (before the responses, then the done callbacks). */
  terminated(rpc: ResponseSide, reason: Error): void;
  /** The RPC is done: its status went out or it was terminated, and its done callbacks ran. */
  done(rpc: ResponseSide): void;
}

let hooks: ResponseHooks;

/** For ServerRpc only. */
export function installResponseHooks(installed: ResponseHooks): void {
  hooks = installed;
}

let sendStatusOf: (
  rpc: ResponseSide,
  code: StatusCode,
  details: string,
  trailingMetadata: Metadata | undefined,
) => void;
let terminateOf: (rpc: ResponseSide, reason: Error) => void;
let overOf: (rpc: ResponseSide) => boolean;
let statusSentOf: (rpc: ResponseSide) => boolean;
let terminationReasonOf: (rpc: ResponseSide) => Error | undefined;
let abortErrorOf: (rpc: ResponseSide) => AbortError | undefined;
let sendResponseOf: (rpc: ResponseSide, response: unknown) => Promise<void>;
let handlerReturnedOf: (rpc: ResponseSide, response: unknown, unary: boolean) => void;
let handlerThrewOf: (rpc: ResponseSide, error: unknown) => void;

/** Ends the RPC with a status (nothing when it has ended already). */
export function sendStatus(
  rpc: ResponseSide,
  code: StatusCode,
  details: string,
  trailingMetadata: Metadata | undefined,
): void {
  sendStatusOf(rpc, code, details, trailingMetadata);
}

/** Ends the RPC other than by this side's status (nothing when it was terminated already). */
export function terminate(rpc: ResponseSide, reason: Error): void {
  terminateOf(rpc, reason);
}

/** True when this side can no longer send anything (status sent, or the RPC ended otherwise). */
export function isOver(rpc: ResponseSide): boolean {
  return overOf(rpc);
}

/** True once this side sent the RPC's status. */
export function statusSent(rpc: ResponseSide): boolean {
  return statusSentOf(rpc);
}

/** Why the RPC was terminated; undefined while it was not. */
export function terminationReason(rpc: ResponseSide): Error | undefined {
  return terminationReasonOf(rpc);
}

/** What `abort()` threw; once set, read(), write() and sendInitialMetadata() throw it again (Python). */
export function abortError(rpc: ResponseSide): AbortError | undefined {
  return abortErrorOf(rpc);
}

/** Sends one streamed response; resolves once the transport took it (flow control). */
export function sendResponse(rpc: ResponseSide, response: unknown): Promise<void> {
  return sendResponseOf(rpc, response);
}

/** The handler returned: send its response (unary) and the status it set (OK by default). */
export function handlerReturned(rpc: ResponseSide, response: unknown, unary: boolean): void {
  handlerReturnedOf(rpc, response, unary);
}

/**
 * The handler threw: UNKNOWN (or the non-OK code it set) with details naming what it threw, as
 * Python's (whose details are "Unexpected <class 'X'>: message" even after set_details()).
 */
export function handlerThrew(rpc: ResponseSide, error: unknown): void {
  handlerThrewOf(rpc, error);
}

/** What a server RPC sends, and how it ends. */
export abstract class ResponseSide extends StatusContext {
  readonly #call: ServerCallTransport;
  readonly #path: string;

  // Lifecycle. #statusSent: this side ended the RPC. #terminated: it ended otherwise; the handler's
  // outcome is then dropped.
  #statusSent = false;
  #terminated = false;
  #terminationReason: Error | undefined;
  #done = false;
  // Typed over the base class (not `this`), so that a ServerRpc is a ResponseSide for the functions above.
  #doneCallbacks: ((context: ResponseSide) => void)[] | undefined;
  #controller: AbortController | undefined;
  #abortError: AbortError | undefined;

  // Responses: yielded by the handler and written with `context.write()`, mixed as it likes (as in
  // Python's grpc.aio, where both go through the same write), in the order the handler produced them.
  #initialMetadataSent = false;
  #responses: ResponseWindow | undefined;
  #compressNext = true; // false after disableNextMessageCompression(), for one message

  static {
    sendStatusOf = (rpc, code, details, trailingMetadata) => rpc.#sendStatus(code, details, trailingMetadata);
    terminateOf = (rpc, reason) => rpc.#terminate(reason);
    overOf = (rpc) => rpc.#over;
    statusSentOf = (rpc) => rpc.#statusSent;
    terminationReasonOf = (rpc) => rpc.#terminationReason;
    abortErrorOf = (rpc) => rpc.#abortError;
    sendResponseOf = (rpc, response) => rpc.#send(response);
    handlerReturnedOf = (rpc, response, unary) => rpc.#finish(response, unary);
    handlerThrewOf = (rpc, error) => rpc.#failed(error);
  }

  constructor(call: ServerCallTransport, clock: Clock | undefined, path: string) {
    super(call, clock);
    this.#call = call;
    this.#path = path;
  }

  /** The method path, `'/package.Service/Method'`. */
  get method(): string {
    return this.#path;
  }

  // ---- the end -----------------------------------------------------------------------------------

  #terminate(reason: Error): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#terminationReason = reason;
    this.#controller?.abort(reason);
    hooks.terminated(this, reason);
    this.#responses?.fail(reason);
    this.#markDone();
  }

  #markDone(): void {
    if (this.#done) return;
    this.#done = true;
    const callbacks = this.#doneCallbacks;
    this.#doneCallbacks = undefined;
    if (callbacks !== undefined) runDoneCallbacks(callbacks, this, this.#path);
    hooks.done(this);
  }

  #sendStatus(code: StatusCode, details: string, trailingMetadata: Metadata | undefined): void {
    if (this.#statusSent || this.#terminated) return;
    this.#statusSent = true;
    this.#call.sendStatus({
      code,
      details,
      metadata: trailingMetadata === undefined || trailingMetadata.size === 0 ? null : trailingMetadata,
    });
    this.#markDone();
  }

  /** True when this side can no longer send anything (status sent, or the RPC ended otherwise). */
  get #over(): boolean {
    return this.#statusSent || this.#terminated;
  }

  #finish(response: unknown, unary: boolean): void {
    if (this.#over) return;
    const code = this.code() ?? StatusCode.OK;
    if (code !== StatusCode.OK || !unary) {
      this.#sendSetStatus(code);
    } else {
      this.#initialMetadataSent = true;
      this.#call.sendFinalMessage(hooks.serialize(this, response), this.#takeCompressNext());
      this.#sendSetStatus(StatusCode.OK);
    }
  }

  #failed(error: unknown): void {
    if (this.#over) return;
    const set = this.code();
    const code = set !== undefined && set !== StatusCode.OK ? set : StatusCode.UNKNOWN;
    this.#sendStatus(code, `Unexpected ${describeThrown(error)}`, trailersOf(this));
  }

  #sendSetStatus(code: StatusCode): void {
    this.#sendStatus(code, this.details(), trailersOf(this));
  }

  // ---- responses ---------------------------------------------------------------------------------

  #send(response: unknown): Promise<void> {
    if (this.#terminated) return Promise.reject(this.#terminationReason);
    if (this.#abortError !== undefined) return Promise.reject(this.#abortError);
    if (this.#statusSent) return Promise.reject(new UsageError(RPC_ALREADY_FINISHED));
    let bytes: Buffer;
    try {
      bytes = hooks.serialize(this, response);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#initialMetadataSent = true;
    this.#responses ??= new ResponseWindow(this.#call);
    return this.#responses.send(bytes, this.#takeCompressNext());
  }

  #takeCompressNext(): boolean {
    const compress = this.#compressNext;
    this.#compressNext = true;
    return compress;
  }

  // ---- ServicerContext ---------------------------------------------------------------------------

  async sendInitialMetadata(initialMetadata: MetadataLike): Promise<void> {
    if (this.#terminated) throw this.#terminationReason;
    if (this.#abortError !== undefined) throw this.#abortError;
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    if (this.#initialMetadataSent) throw new UsageError(INITIAL_METADATA_ALREADY_SENT);
    const metadata = Metadata.from(initialMetadata);
    this.#initialMetadataSent = true;
    this.#call.sendMetadata(metadata);
  }

  async abort(code: StatusCode, details = '', trailingMetadata?: MetadataLike | null): Promise<never> {
    if (this.#abortError !== undefined) throw new UsageError(ABORT_ALREADY_CALLED);
    if (this.#statusSent) throw new UsageError(RPC_ALREADY_FINISHED);
    // As Python: the abort counts from here, even when its arguments turn out invalid (a second
    // abort() is "Abort already called!"; the handler's error then ends the RPC with UNKNOWN).
    const abortError = new AbortError(LOCALLY_ABORTED);
    this.#abortError = abortError;
    if (!isStatusCode(code)) throw new TypeError(`abort() needs a StatusCode, got ${String(code)}.`);
    if (code === StatusCode.OK) throw new UsageError(ABORT_WITH_OK);
    if (typeof details !== 'string')
      throw new TypeError(`abort() details must be a string, got ${typeof details}.`);
    const trailers = trailingMetadata == null ? undefined : toTrailingMetadata(trailingMetadata);
    if (trailers !== undefined && trailers.size > 0) this.setTrailingMetadata(trailers);
    if (details !== '') this.setDetails(details);
    this.setCode(code);
    this.#sendStatus(code, this.details(), trailersOf(this));
    throw abortError;
  }

  abortWithStatus(status: StatusLike): Promise<never> {
    if (typeof status !== 'object' || status === null) {
      return Promise.reject(new TypeError('abortWithStatus() needs a Status.'));
    }
    return this.abort(status.code, status.details, status.trailingMetadata);
  }

  setCompression(compression: Compression): void {
    if (!isCompression(compression))
      throw new TypeError(`Unknown compression value: ${String(compression)}.`);
    if (this.#initialMetadataSent || this.#over) throw new UsageError(COMPRESSION_AFTER_METADATA);
    this.#call.setCompression(compression);
  }

  disableNextMessageCompression(): void {
    this.#compressNext = false;
  }

  cancelled(): boolean {
    return this.#terminated;
  }

  done(): boolean {
    return this.#done;
  }

  addDoneCallback(callback: (context: this) => void): void {
    if (typeof callback !== 'function') throw new TypeError('A done callback must be a function.');
    if (this.#done) {
      runDoneCallbacks([callback], this, this.#path);
      return;
    }
    (this.#doneCallbacks ??= []).push(callback as (context: ResponseSide) => void);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#terminated) this.#controller.abort(this.#terminationReason);
    }
    return this.#controller.signal;
  }
}
