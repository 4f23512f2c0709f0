import {
  type CallTelemetry,
  type ClientCallInfo,
  type ClientCallTelemetry,
  deregisterTelemetry,
  registerTelemetry,
  rejectUnknownOptions,
  type ServerCallInfo,
  type ServerCallTelemetry,
  StatusCode,
  statusCodeName,
} from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import {
  type Attributes,
  type Context,
  context,
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
 * Attribute objects made once and reused (per method, target and status): a call allocates none.
 * Bounded like the target cache; past the bound they are made per call. The SDK copies what it
 * keeps, so sharing them is safe.
 */
class AttributeCache {
  readonly #entries = new Map<string, Attributes>();

  get(key: string, make: () => Attributes): Attributes {
    let value = this.#entries.get(key);
    if (value === undefined) {
      value = Object.freeze(make());
      if (this.#entries.size < ATTRIBUTE_CACHE_LIMIT) this.#entries.set(key, value);
    }
    return value;
  }
}

const ATTRIBUTE_CACHE_LIMIT = 4096;

/** The largest number of targets whose `grpc.target` value is kept (beyond it, filtered per call). */
const TARGET_CACHE_LIMIT = 1000;

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
  readonly attributes: AttributeCache;
}

/** Records one client call: A66's attempt and call metrics, and its CLIENT span. */
class ClientCallRecorder implements ClientCallTelemetry {
  readonly #state: PluginState;
  readonly #key: string;
  readonly #attributes: Attributes;
  readonly #span: Span;
  readonly #callStart = performance.now();
  #attemptStart = 0;
  #sent = 0;
  #received = 0;

  constructor(state: PluginState, method: string, target: string, rawTarget: string) {
    this.#state = state;
    const key = `${method}\n${target}\n${rawTarget}`;
    this.#key = key;
    this.#attributes = state.attributes.get(`m${key}`, () => ({
      'grpc.method': method,
      'grpc.target': target,
    }));
    const attributes = state.attributes.get(`s${key}`, () => {
      const made = rpcAttributes(method);
      const { address, port } = targetAddress(rawTarget);
      made['server.address'] = address;
      if (port !== undefined) made['server.port'] = port;
      return made;
    });
    this.#span = state.tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes });
  }

  onAttemptStart(metadata: Metadata): Metadata {
    this.#attemptStart = performance.now();
    this.#state.client.attemptStarted.add(1, this.#attributes);
    // Into a plain object first: the metadata is copied only when the propagator writes something.
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), this.#span), headers);
    let carrier: Metadata | undefined;
    for (const key in headers) {
      carrier ??= metadata.copy();
      METADATA_SETTER.set(carrier, key, headers[key] as string);
    }
    return carrier ?? metadata;
  }

  onSent(bytes: number): void {
    this.#sent += bytes;
  }

  onReceived(bytes: number): void {
    this.#received += bytes;
  }

  onEnd(code: StatusCode, details: string): void {
    const now = performance.now();
    const client = this.#state.client;
    const attributes = this.#state.attributes.get(`${code}${this.#key}`, () => ({
      ...this.#attributes,
      'grpc.status': statusCodeName(code) ?? 'UNKNOWN',
    }));
    client.attemptDuration.record(seconds(this.#attemptStart || this.#callStart, now), attributes);
    client.attemptSentSize.record(this.#sent, attributes);
    client.attemptRcvdSize.record(this.#received, attributes);
    client.callDuration.record(seconds(this.#callStart, now), attributes);
    endSpan(this.#span, code, details, code !== StatusCode.OK);
  }
}

/** Records one server call: A66's server metrics, and its SERVER span (the handler's context). */
class ServerCallRecorder implements ServerCallTelemetry {
  readonly #state: PluginState;
  readonly #method: string;
  readonly #span: Span;
  readonly #context: Context;
  readonly #start = performance.now();
  #sent = 0;
  #received = 0;

  constructor(state: PluginState, method: string, name: string, metadata: () => Metadata) {
    this.#state = state;
    this.#method = method;
    state.server.callStarted.add(
      1,
      state.attributes.get(`M${method}`, () => ({ 'grpc.method': method })),
    );
    const parent = propagation.extract(context.active(), { metadata }, METADATA_GETTER);
    this.#span = state.tracer.startSpan(
      name,
      { kind: SpanKind.SERVER, attributes: state.attributes.get(`R${name}`, () => rpcAttributes(name)) },
      parent,
    );
    this.#context = trace.setSpan(parent, this.#span);
  }

  onReceived(bytes: number): void {
    this.#received += bytes;
  }

  onSent(bytes: number): void {
    this.#sent += bytes;
  }

  onEnd(code: StatusCode, details: string): void {
    const server = this.#state.server;
    const method = this.#method;
    const attributes = this.#state.attributes.get(`S${code}\n${method}`, () => ({
      'grpc.method': method,
      'grpc.status': statusCodeName(code) ?? 'UNKNOWN',
    }));
    server.callDuration.record(seconds(this.#start, performance.now()), attributes);
    server.callSentSize.record(this.#sent, attributes);
    server.callRcvdSize.record(this.#received, attributes);
    endSpan(this.#span, code, details, SERVER_ERRORS.has(code));
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
  readonly #targets = new Map<string, string>();

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
      attributes: new AttributeCache(),
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
    return new ClientCallRecorder(
      this.#state,
      methodName(info.method),
      this.#target(info.target),
      info.target,
    );
  }

  /** For servers (the `CallTelemetry` contract of `@grpc-aio/core`): the recorder of a new call. */
  serverCall(info: ServerCallInfo): ServerCallTelemetry {
    const name = methodName(info.method);
    const filter = this.#methodFilter;
    const method = info.registered || (filter !== undefined && accepts(filter, name)) ? name : OTHER;
    return new ServerCallRecorder(this.#state, method, name, info.metadata);
  }

  /** The `grpc.target` of a channel target: canonical, or "other" when the filter rejects it. */
  #target(target: string): string {
    let value = this.#targets.get(target);
    if (value !== undefined) return value;
    const canonical = canonicalTarget(target);
    const filter = this.#targetFilter;
    value = filter === undefined || accepts(filter, canonical) ? canonical : OTHER;
    if (this.#targets.size < TARGET_CACHE_LIMIT) this.#targets.set(target, value);
    return value;
  }
}
