import {
  type CallTelemetry,
  type ClientAttemptTelemetry,
  type ClientCallInfo,
  type ClientCallTelemetry,
  deregisterTelemetry,
  registerTelemetry,
  type ServerCallInfo,
  type ServerCallTelemetry,
  StatusCode,
  statusCodeName,
} from '@grpc-aio/core';
import { rejectUnknownOptions } from '@grpc-aio/core/internal';
import type { Metadata } from '@grpc-aio/metadata';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  type ClientInstruments,
  clientInstruments,
  type ServerInstruments,
  serverInstruments,
} from './instruments.js';
import { canonicalTarget, targetAddress } from './target.js';

/** The name of the meter and of the tracer (gRFC A66: a name that identifies the library). */
export const INSTRUMENTATION_NAME = 'grpc-aio';
/** The version of the meter and of the tracer: this package's. */
export const INSTRUMENTATION_VERSION = '0.1.0';
/** The value of `grpc.method` (and `grpc.target`) when a filter leaves the name out. */
export const OTHER = 'other';

/** Options of {@link OpenTelemetryPlugin} (Python's `OpenTelemetryPlugin` keyword arguments). */
export interface OpenTelemetryPluginOptions {
  /** Where the metrics go; default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider | null | undefined;
  /** Where the spans go; default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider | null | undefined;
  /**
   * Called with a channel's canonical target (`dns:///localhost:50051`): false records
   * `grpc.target` as `"other"` (for processes that make channels to many addresses). Default: every
   * target is recorded.
   */
  targetAttributeFilter?: ((target: string) => boolean) | null | undefined;
  /**
   * Called on the server with the method name (`package.Service/Method`) of a call that no
   * registered handler serves (generic handlers, unknown methods): true records it as
   * `grpc.method`, false as `"other"`. Default: `"other"` for every such call, so that clients
   * cannot make the metrics' cardinality grow.
   */
  genericMethodAttributeFilter?: ((method: string) => boolean) | null | undefined;
}

const PLUGIN_OPTIONS = new Set([
  'meterProvider',
  'tracerProvider',
  'targetAttributeFilter',
  'genericMethodAttributeFilter',
]);

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

const METADATA_GETTER: TextMapGetter<LazyMetadata> = {
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
 * The largest number of methods (per target on channels; per kind, registered or not, on servers)
 * whose attribute objects are kept; past it they are made per call. Servers receive arbitrary
 * method names from clients: the bound keeps memory flat.
 */
const METHOD_CACHE_LIMIT = 4096;

/** The largest number of targets whose attribute objects are kept (beyond it, made per call). */
const TARGET_CACHE_LIMIT = 1000;

/** Stores `value` under `key` unless the map is full. @returns `value`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size < METHOD_CACHE_LIMIT) map.set(key, value);
  return value;
}

function seconds(since: number, now: number): number {
  return (now - since) / 1000;
}

/** `package.Service/Method` of `/package.Service/Method`. */
function methodName(path: string): string {
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
interface PluginState {
  readonly client: ClientInstruments;
  readonly server: ServerInstruments;
  readonly tracer: Tracer;
}

/**
 * True when the global propagator writes or reads anything: without one (the API's default) a
 * call neither injects nor extracts trace context.
 */
function propagating(): boolean {
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
class ClientMethod extends MethodAttributes {
  constructor(name: string, target: string, rawTarget: string) {
    const span = rpcAttributes(name);
    const { address, port } = targetAddress(rawTarget);
    span['server.address'] = address;
    if (port !== undefined) span['server.port'] = port;
    super(name, { 'grpc.method': name, 'grpc.target': target }, span);
  }
}

/** A method as a server records it (`grpc.method` is "other" for filtered-out methods). */
class ServerMethod extends MethodAttributes {
  constructor(name: string, recorded: string) {
    super(name, { 'grpc.method': recorded }, rpcAttributes(name));
  }
}

/**
 * Records one client call: A66's call metric and its CLIENT span. The call is its own first attempt
 * (no allocation for the usual single-attempt call); later attempts (retries made by an
 * interceptor) get their own recorder.
 */
class ClientCallRecorder implements ClientCallTelemetry, ClientAttemptTelemetry {
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
class ServerCallRecorder implements ServerCallTelemetry {
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
class ScopedServerCallRecorder extends ServerCallRecorder {
  readonly #context: Context;

  constructor(state: PluginState, method: ServerMethod, span: Span, scope: Context) {
    super(state, method, span);
    this.#context = scope;
  }

  run<R>(fn: () => R): R {
    return context.with(this.#context, fn);
  }
}

function checkFilter(name: string, filter: unknown): ((value: string) => boolean) | undefined {
  if (filter == null) return undefined;
  if (typeof filter !== 'function')
    throw new TypeError(`OpenTelemetryPlugin option ${name} must be a function, got ${typeof filter}.`);
  return filter as (value: string) => boolean;
}

/** True when `filter` accepts `value`; a filter that throws rejects it. */
function accepts(filter: (value: string) => boolean, value: string): boolean {
  try {
    return filter(value) === true;
  } catch {
    return false;
  }
}

/**
 * OpenTelemetry for grpc-aio channels and servers (Python's `grpc_observability.OpenTelemetryPlugin`):
 * the metrics of gRFC A66 and one span per call (CLIENT on channels, SERVER on servers), with trace
 * context propagated in the request metadata through the global propagator.
 *
 * Use it for every channel and server with {@link OpenTelemetryPlugin.registerGlobal}, or for one
 * channel or server with its `telemetry` option (`insecureChannel(target, { telemetry: plugin })`,
 * `server({ telemetry: plugin })`).
 *
 * @example
 * using plugin = new OpenTelemetryPlugin({ meterProvider }).registerGlobal();
 */
export class OpenTelemetryPlugin implements CallTelemetry {
  readonly #state: PluginState;
  readonly #targetFilter: ((target: string) => boolean) | undefined;
  readonly #methodFilter: ((method: string) => boolean) | undefined;
  // Channel targets (as given) -> their methods; server methods, registered and not.
  readonly #targets = new Map<string, Map<string, ClientMethod>>();
  readonly #registered = new Map<string, ServerMethod>();
  readonly #unregistered = new Map<string, ServerMethod>();

  /**
   * @param options the providers (default: the global ones) and the attribute filters.
   * @throws TypeError for an option it does not take, or a filter that is not a function.
   */
  constructor(options: OpenTelemetryPluginOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('new OpenTelemetryPlugin() options must be an object.');
    rejectUnknownOptions('new OpenTelemetryPlugin()', options, PLUGIN_OPTIONS);
    this.#targetFilter = checkFilter('targetAttributeFilter', options.targetAttributeFilter);
    this.#methodFilter = checkFilter('genericMethodAttributeFilter', options.genericMethodAttributeFilter);
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    );
    this.#state = {
      client: clientInstruments(meter),
      server: serverInstruments(meter),
      tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
        INSTRUMENTATION_NAME,
        INSTRUMENTATION_VERSION,
      ),
    };
  }

  /**
   * Instruments every channel and server (Python's `register_global()`): from now on, every call
   * that starts on a channel or server without its own `telemetry` option reports to this plugin.
   * @returns this plugin, so that `using plugin = new OpenTelemetryPlugin().registerGlobal()`
   *   deregisters it at the end of the scope.
   */
  registerGlobal(): this {
    registerTelemetry(this);
    return this;
  }

  /** Undoes {@link OpenTelemetryPlugin.registerGlobal} (Python's `deregister_global()`); calls already running still report. */
  deregisterGlobal(): void {
    deregisterTelemetry(this);
  }

  /** Deregisters the plugin (Python's `with` block). */
  [Symbol.dispose](): void {
    this.deregisterGlobal();
  }

  /** For channels (the `CallTelemetry` contract of `@grpc-aio/core`): the recorder of a new call. */
  clientCall(info: ClientCallInfo): ClientCallTelemetry {
    return new ClientCallRecorder(this.#state, this.#clientMethod(info.target, info.method));
  }

  /** For servers (the `CallTelemetry` contract of `@grpc-aio/core`): the recorder of a new call. */
  serverCall(info: ServerCallInfo): ServerCallTelemetry {
    const state = this.#state;
    const method = this.#serverMethod(info.method, info.registered);
    const active = context.active();
    const parent = propagating()
      ? propagation.extract(active, { metadata: info.metadata }, METADATA_GETTER)
      : active;
    const span = state.tracer.startSpan(
      method.name,
      { kind: SpanKind.SERVER, attributes: method.span },
      parent,
    );
    state.server.callStarted.add(1, method.started);
    return isSpanContextValid(span.spanContext())
      ? new ScopedServerCallRecorder(state, method, span, trace.setSpan(parent, span))
      : new ServerCallRecorder(state, method, span);
  }

  #clientMethod(target: string, path: string): ClientMethod {
    let methods = this.#targets.get(target);
    if (methods === undefined) {
      methods = new Map();
      if (this.#targets.size < TARGET_CACHE_LIMIT) this.#targets.set(target, methods);
    }
    const found = methods.get(path);
    if (found !== undefined) return found;
    return remember(methods, path, new ClientMethod(methodName(path), this.#target(target), target));
  }

  #serverMethod(path: string, registered: boolean): ServerMethod {
    const cache = registered ? this.#registered : this.#unregistered;
    const found = cache.get(path);
    if (found !== undefined) return found;
    const name = methodName(path);
    const filter = this.#methodFilter;
    const recorded = registered || (filter !== undefined && accepts(filter, name)) ? name : OTHER;
    return remember(cache, path, new ServerMethod(name, recorded));
  }

  /** The `grpc.target` of a channel target: canonical, or "other" when the filter rejects it. */
  #target(target: string): string {
    const canonical = canonicalTarget(target);
    const filter = this.#targetFilter;
    return filter === undefined || accepts(filter, canonical) ? canonical : OTHER;
  }
}
