// The per-call recorders of the OpenTelemetry plugin: A66's metrics and the RPC spans of one client
// call (and its attempts) or one server call, and the attribute objects each method shares.

import {
  type ClientAttemptTelemetry,
  type ClientCallTelemetry,
  type ServerCallTelemetry,
  StatusCode,
  statusCodeName,
} from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ClientInstruments, ServerInstruments } from './instruments.js';
import { targetAddress } from './target.js';

/** The value of `grpc.method` (and `grpc.target`) when a filter leaves the name out. */
export const OTHER = 'other';

/** Writes trace context into request metadata (W3C `traceparent`, `tracestate`, `baggage`). */
const METADATA_SETTER: TextMapSetter<Metadata> = {
  set(carrier, key, value) {
    try {
      carrier.set(key.toLowerCase(), value);
    } catch {
      // A value metadata cannot carry (not printable ASCII): that field is not propagated.
    }
  },
};

/** Reads trace context from request metadata. */
/** The request metadata of a server call, read only if the propagator asks (a no-op one never does). */
interface LazyMetadata {
  readonly metadata: () => Metadata;
}

export const METADATA_GETTER: TextMapGetter<LazyMetadata> = {
  keys(carrier) {
    return [...carrier.metadata().keys()];
  },
  get(carrier, key) {
    const values = carrier
      .metadata()
      .getAll(key.toLowerCase())
      .filter((value) => typeof value === 'string');
    if (values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values;
  },
};

/**
 * The largest number of methods whose attribute objects a plugin keeps, in all (the methods of
 * every channel target; a server's registered and unregistered methods each); past it they are
 * made per call. Servers receive arbitrary method names from clients, and a proxy may call many:
 * the bound keeps memory flat.
 */
export const METHOD_CACHE_LIMIT = 4096;

/** The largest number of channel targets whose `grpc.target` value a plugin keeps. */
export const TARGET_CACHE_LIMIT = 1000;

function seconds(since: number, now: number): number {
  return (now - since) / 1000;
}

/** `package.Service/Method` of `/package.Service/Method`. */
export function methodName(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** The span attributes every RPC span has: rpc.system, rpc.service, rpc.method. */
function rpcAttributes(name: string): Attributes {
  const slash = name.lastIndexOf('/');
  return slash < 0
    ? { 'rpc.system': 'grpc', 'rpc.method': name }
    : { 'rpc.system': 'grpc', 'rpc.service': name.slice(0, slash), 'rpc.method': name.slice(slash + 1) };
}

/**
 * The status codes for which a SERVER span is an error (OpenTelemetry semantic conventions for
 * gRPC): the others (NOT_FOUND, INVALID_ARGUMENT ...) are the client's errors, not the server's.
 */
const SERVER_ERRORS: ReadonlySet<number> = new Set([
  StatusCode.UNKNOWN,
  StatusCode.DEADLINE_EXCEEDED,
  StatusCode.UNIMPLEMENTED,
  StatusCode.INTERNAL,
  StatusCode.UNAVAILABLE,
  StatusCode.DATA_LOSS,
]);

function endSpan(span: Span, code: StatusCode, details: string, error: boolean): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: details });
  span.end();
}

/** What the recorders of one plugin share. */
export interface PluginState {
  readonly client: ClientInstruments;
  readonly server: ServerInstruments;
  readonly tracer: Tracer;
}

/**
 * True when the global propagator writes or reads anything: without one (the API's default) a
 * call neither injects nor extracts trace context.
 */
export function propagating(): boolean {
  return propagation.fields().length > 0;
}

/**
 * The attribute objects every call of one method shares (and, on channels, of one target): made
 * once, frozen, reused, so that a call allocates none. The SDK copies what it keeps.
 */
abstract class MethodAttributes {
  /** The attributes of the `started` counter. */
  readonly started: Attributes;
  /** The attributes of the call's span. */
  readonly span: Attributes;
  /** The span name: `package.Service/Method`. */
  readonly name: string;
  // The attributes of the metrics recorded at the end, with grpc.status, by status code.
  readonly #ended: Attributes[] = [];

  constructor(name: string, started: Attributes, span: Attributes) {
    this.name = name;
    this.started = Object.freeze(started);
    this.span = Object.freeze(span);
  }

  /** The attributes of a metric recorded at the end of a call or attempt: with `grpc.status`. */
  ended(code: StatusCode): Attributes {
    let attributes = this.#ended[code];
    if (attributes === undefined) {
      attributes = Object.freeze({ ...this.started, 'grpc.status': statusCodeName(code) ?? 'UNKNOWN' });
      if (code >= 0 && code <= 16) this.#ended[code] = attributes;
    }
    return attributes;
  }
}

/** A method as a channel calls it, on one target. */
export class ClientMethod extends MethodAttributes {
  constructor(name: string, target: string, rawTarget: string) {
    const span = rpcAttributes(name);
    const { address, port } = targetAddress(rawTarget);
    span['server.address'] = address;
    if (port !== undefined) span['server.port'] = port;
    super(name, { 'grpc.method': name, 'grpc.target': target }, span);
  }
}

/** A method as a server records it (`grpc.method` is "other" for filtered-out methods). */
export class ServerMethod extends MethodAttributes {
  constructor(name: string, recorded: string) {
    super(name, { 'grpc.method': recorded }, rpcAttributes(name));
  }
}

/**
 * Records one client call: A66's call metric and its CLIENT span. The call is its own first attempt
 * (no allocation for the usual single-attempt call); later attempts (retries made by an
 * interceptor) get their own recorder.
 */
export class ClientCallRecorder implements ClientCallTelemetry, ClientAttemptTelemetry {
  readonly state: PluginState;
  readonly method: ClientMethod;
  readonly span: Span;
  readonly #callStart = performance.now();
  #attempts = 0;
  // The first attempt's state.
  #attemptStart = 0;
  #sent = 0;
  #received = 0;

  constructor(state: PluginState, method: ClientMethod) {
    this.state = state;
    this.method = method;
    this.span = state.tracer.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: method.span });
  }

  attempt(): ClientAttemptTelemetry {
    return this.#attempts++ === 0 ? this : new ClientAttemptRecorder(this);
  }

  onAttemptStart(metadata: Metadata): Metadata {
    this.#attemptStart = performance.now();
    return startAttempt(this, metadata);
  }

  onSent(bytes: number): void {
    this.#sent += bytes;
  }

  onReceived(bytes: number): void {
    this.#received += bytes;
  }

  onAttemptEnd(code: StatusCode): void {
    endAttempt(this, this.#attemptStart || this.#callStart, this.#sent, this.#received, code);
  }

  onCallEnd(code: StatusCode, details: string): void {
    this.state.client.callDuration.record(
      seconds(this.#callStart, performance.now()),
      this.method.ended(code),
    );
    endSpan(this.span, code, details, code !== StatusCode.OK);
  }
}

/** Counts an attempt and puts the call's span context into its metadata. */
function startAttempt(call: ClientCallRecorder, metadata: Metadata): Metadata {
  call.state.client.attemptStarted.add(1, call.method.started);
  if (!propagating()) return metadata;
  // Into a plain object first: the metadata is copied only when the propagator writes something.
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), call.span), headers);
  let carrier: Metadata | undefined;
  for (const key in headers) {
    carrier ??= metadata.copy();
    METADATA_SETTER.set(carrier, key, headers[key] as string);
  }
  return carrier ?? metadata;
}

/** Records A66's attempt metrics. */
function endAttempt(
  call: ClientCallRecorder,
  start: number,
  sent: number,
  received: number,
  code: StatusCode,
): void {
  const client = call.state.client;
  const attributes = call.method.ended(code);
  client.attemptDuration.record(seconds(start, performance.now()), attributes);
  client.attemptSentSize.record(sent, attributes);
  client.attemptRcvdSize.record(received, attributes);
}

/** A second or later attempt of a call. */
class ClientAttemptRecorder implements ClientAttemptTelemetry {
  readonly #call: ClientCallRecorder;
  #start = performance.now();
  #sent = 0;
  #received = 0;

  constructor(call: ClientCallRecorder) {
    this.#call = call;
  }

  onAttemptStart(metadata: Metadata): Metadata {
    this.#start = performance.now();
    return startAttempt(this.#call, metadata);
  }

  onSent(bytes: number): void {
    this.#sent += bytes;
  }

  onReceived(bytes: number): void {
    this.#received += bytes;
  }

  onAttemptEnd(code: StatusCode): void {
    endAttempt(this.#call, this.#start, this.#sent, this.#received, code);
  }
}

/**
 * Records one server call: A66's server metrics, and its SERVER span. Without trace context to
 * give the handler (no span context: no-op tracer, nothing propagated), it has no `run`, and the
 * server runs the handler as it would without telemetry.
 */
export class ServerCallRecorder implements ServerCallTelemetry {
  readonly #state: PluginState;
  readonly #method: ServerMethod;
  readonly #span: Span;
  readonly #start = performance.now();
  #sent = 0;
  #received = 0;

  constructor(state: PluginState, method: ServerMethod, span: Span) {
    this.#state = state;
    this.#method = method;
    this.#span = span;
  }

  onReceived(bytes: number): void {
    this.#received += bytes;
  }

  onSent(bytes: number): void {
    this.#sent += bytes;
  }

  onEnd(code: StatusCode, details: string): void {
    const server = this.#state.server;
    const attributes = this.#method.ended(code);
    server.callDuration.record(seconds(this.#start, performance.now()), attributes);
    server.callSentSize.record(this.#sent, attributes);
    server.callRcvdSize.record(this.#received, attributes);
    endSpan(this.#span, code, details, SERVER_ERRORS.has(code));
  }
}

/** A server call whose handler runs with the SERVER span (or the propagated parent) active. */
export class ScopedServerCallRecorder extends ServerCallRecorder {
  readonly #context: Context;

  constructor(state: PluginState, method: ServerMethod, span: Span, scope: Context) {
    super(state, method, span);
    this.#context = scope;
  }

  run<R>(fn: () => R): R {
    return context.with(this.#context, fn);
  }
}
